"""The JSON form of the models is what the cache and the week's files hold."""

from dataclasses import asdict

from report_pipeline.models import FeatureResult


def test_a_results_json_is_its_fields_and_round_trips() -> None:
    result = FeatureResult(
        "doc-1",
        "ok",
        "image",
        {"words": 3, "top_terms": [["dose", 2]], "pages": {"1": {"confidence": 91.5}}},
        cache_key="features/cache/image-9/ab.json",
        cached=True,
        seconds=1.25,
    )
    data = result.to_json()
    assert data == asdict(result)
    assert FeatureResult.from_json(data) == result


def test_changing_a_results_json_features_leaves_the_result_alone() -> None:
    result = FeatureResult("doc-1", "ok", "text", {"words": 3})
    data = result.to_json()
    data["features"]["words"] = 4
    data["status"] = "failed"
    assert result.features == {"words": 3} and result.status == "ok"
