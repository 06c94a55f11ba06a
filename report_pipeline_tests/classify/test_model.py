"""The learned classifier on its own: training, versions, bytes, and how it meets the rules."""

from __future__ import annotations

import pytest

from report_pipeline.classify import (
    Classifier,
    ModelError,
    classify_text,
    load_taxonomy,
    model_from_bytes,
    model_version,
    train_model,
)

NEWSLETTER = (
    "Study newsletter, issue {n}. Dear colleagues, this quarter's newsletter shows how"
    " hemoglobin reference range tables should be filed. Site news and upcoming meetings."
)


def _examples(count: int = 4) -> list[tuple[str, str]]:
    return [(NEWSLETTER.format(n=n), "fax_correspondence") for n in range(count)]


def test_labels_overrule_the_rules_where_the_model_is_confident() -> None:
    taxonomy = load_taxonomy()
    text = NEWSLETTER.format(n=99)
    assert classify_text(text, taxonomy)["type"] == "lab_result"  # the rules get it wrong
    model = train_model(_examples(), taxonomy, "v1")
    found = Classifier(taxonomy, model, threshold=0.6).classify_text(text)
    assert found["type"] == "fax_correspondence" and found["source"] == "model"
    assert found["rules"]["type"] == "lab_result" and found["needs_review"] is None
    assert found["cues"] == []  # no word of the text becomes a cue
    assert found["version"].endswith("+model-v1@0.6")


def test_a_doubtful_model_leaves_the_rules_type_and_says_why() -> None:
    taxonomy = load_taxonomy()
    model = train_model(_examples(), taxonomy, "v1")
    found = Classifier(taxonomy, model, threshold=0.999).classify_text(NEWSLETTER.format(n=7))
    assert found["type"] == "lab_result" and found["source"] == "rules"
    assert "the model says fax cover or correspondence" in found["needs_review"]
    assert "below 0.999" in found["needs_review"]


def test_model_bytes_round_trip_without_pickle() -> None:
    taxonomy = load_taxonomy()
    model = train_model(_examples(), taxonomy, "v1")
    again = model_from_bytes(model.to_bytes())
    text = NEWSLETTER.format(n=5)
    assert again.predict(text) == pytest.approx(model.predict(text), abs=1e-5)
    assert again.version == "v1" and again.examples == 4
    with pytest.raises(ModelError, match="not a document-type model"):
        model_from_bytes(b"not a model")


def test_the_version_follows_labels_and_taxonomy(tmp_path) -> None:
    taxonomy = load_taxonomy()
    one = model_version([("a", "lab_result"), ("b", "consent_form")], taxonomy)
    assert one == model_version([("b", "consent_form"), ("a", "lab_result")], taxonomy)
    assert one != model_version([("a", "visit_note"), ("b", "consent_form")], taxonomy)
    other = tmp_path / "types.toml"
    other.write_text('[types.billing]\nphrases = { "amount due" = 5 }\n')
    assert one != model_version([("a", "lab_result"), ("b", "consent_form")], load_taxonomy(other))


def test_labels_the_taxonomy_does_not_know_are_refused() -> None:
    with pytest.raises(ModelError, match="does not know: billing"):
        train_model([("Invoice", "billing")], load_taxonomy(), "v1")
    with pytest.raises(ModelError, match="no labeled document"):
        train_model([], load_taxonomy(), "v1")
