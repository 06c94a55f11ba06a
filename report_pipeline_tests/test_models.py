"""The JSON form of the models is what the cache and the week's files hold."""

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone

import pytest

from report_pipeline.models import DocumentRecord, FeatureResult


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


def _record_json_as_before(record: DocumentRecord) -> dict:
    """DocumentRecord.to_json as it was written with asdict (manifests keep their bytes)."""
    data = asdict(record)
    data.pop("customer")
    data["created_at"] = record.created_at.astimezone(UTC).isoformat()
    data["customer_id"] = record.customer_id
    if data["language"] is None:
        del data["language"]
    return data


@pytest.mark.parametrize(
    "language, customer, trial",
    [(None, None, None), ("deu+eng", "clinic-7", "T-12")],
)
def test_a_records_json_keeps_its_fields_order_and_round_trips(language, customer, trial) -> None:
    record = DocumentRecord(
        "doc-1",
        "customers/acme/doc-1.pdf",
        "application/pdf",
        datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=2))),
        2048,
        trial_id=trial,
        language=language,
        customer=customer,
    )
    data = record.to_json()
    assert json.dumps(data) == json.dumps(_record_json_as_before(record))
    assert data["created_at"] == "2024-03-05T07:30:00+00:00"
    assert DocumentRecord.from_json(data).customer_id == record.customer_id
