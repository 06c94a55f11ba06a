"""Labels change the model's answer: label, train, and the cached documents are typed again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from report_pipeline.appdb.labels import all_labels, set_label
from report_pipeline.classify import ModelError, load_taxonomy
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.features import extract_entries, extract_entry, write_week_features
from report_pipeline.pipeline.inspection import inspect_object
from report_pipeline.pipeline.keys import TYPE_MODEL_POINTER_KEY
from report_pipeline.pipeline.type_model import train_deployment
from report_pipeline.resources.connections import open_services
from report_pipeline.weeks import week_start_of

AT = datetime(2024, 3, 5, 10, tzinfo=UTC)
NEWSLETTER = (
    "Study newsletter no. {n}\nDear colleagues at site {n:03d},\nthis quarter's newsletter"
    " explains how hemoglobin reference range tables are to be filed.\nSite news, upcoming"
    " investigator meetings and the monitoring calendar."
)


@pytest.fixture
def services(settings):
    opened = open_services(settings)
    yield opened
    opened.app.engine.dispose()


def _add(services, text: str, name: str):
    record = store_document(services, text.encode(), name, "text/plain", "acme", AT)
    return inspect_object(services.store, record)


def test_labels_of_a_type_the_rules_get_wrong_change_the_answer(services, monkeypatch) -> None:
    labeled = [_add(services, NEWSLETTER.format(n=n), f"news{n}.txt") for n in range(4)]
    unseen = _add(services, NEWSLETTER.format(n=42), "news42.txt")
    results = extract_entries([*labeled, unseen], services.store)
    write_week_features(services.store, week_start_of(AT.date()), results)
    assert {r.features["document_type"]["type"] for r in results} == {"lab_result"}

    for entry in labeled:
        set_label(services.app, entry.record.document_id, "fax_correspondence", "tester")
    training = train_deployment(services, load_taxonomy())
    assert training.trained and training.learned == 4 and not training.skipped
    assert services.store.exists(TYPE_MODEL_POINTER_KEY)
    again = train_deployment(services, load_taxonomy())
    assert not again.trained and again.version == training.version  # same labels: current

    # The type is recomputed from the cached text; nothing is extracted again.
    monkeypatch.setattr(
        "report_pipeline.pipeline.features.extract_file",
        lambda *a, **k: pytest.fail("re-extracted"),
    )
    found = extract_entry(unseen, services.store).features["document_type"]
    assert found["type"] == "fax_correspondence" and found["source"] == "model"
    assert found["rules"]["type"] == "lab_result"
    assert training.version in found["version"]


def test_a_changed_label_is_a_new_model_version(services) -> None:
    entries = [_add(services, NEWSLETTER.format(n=n), f"n{n}.txt") for n in range(2)]
    extract_entries(entries, services.store)  # no week features: the cache entries are read
    first_id = entries[0].record.document_id
    set_label(services.app, first_id, "fax_correspondence", "tester")
    first = train_deployment(services, load_taxonomy())
    assert set_label(services.app, first_id, "visit_note", "tester") == "fax_correspondence"
    assert all_labels(services.app) == [(first_id, "visit_note")]
    second = train_deployment(services, load_taxonomy())
    assert second.trained and second.version != first.version


def test_training_without_usable_labels_is_one_clear_error(services) -> None:
    with pytest.raises(ModelError, match="no document is labeled yet"):
        train_deployment(services, load_taxonomy())
    entry = _add(services, "never extracted", "late.txt")
    set_label(services.app, entry.record.document_id, "visit_note", "tester")
    with pytest.raises(ModelError, match="no labeled document has cached text"):
        train_deployment(services, load_taxonomy())
