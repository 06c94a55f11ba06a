"""An operator's label is the document's type: in the week's report and in `documents show`.

The label is applied where types are read, never written into the content-addressed
feature cache: re-labeling changes the next report without extracting anything again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from click.testing import CliRunner
from dagster import DagsterInstance

from report_pipeline.appdb.audit import audit_page
from report_pipeline.classify import load_taxonomy
from report_pipeline.cli.documents import documents
from report_pipeline.models import FeatureResult
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.features import read_week_features
from report_pipeline.pipeline.labels import labeled_type, with_labels
from report_pipeline.pipeline.published import published_summary
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.weekly_assets import materialize_week

WEEK = date(2024, 3, 4)
AT = datetime(2024, 3, 5, 9, tzinfo=UTC)
LAB = "Laboratory report. Specimen collected 08:00. Hemoglobin 13.2 g/dL, reference range 12-16."


def _cli(*args: str) -> str:
    result = CliRunner().invoke(documents, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _by_type(services) -> dict[str, int]:
    return published_summary(services.store, WEEK, None)["by_document_type"]


def test_a_label_sets_the_type_the_report_counts(settings) -> None:
    services = open_services(settings)
    labeled, other = (
        store_document(services, LAB.encode(), f"lab-{n}.txt", "text/plain", "acme", AT)
        for n in (1, 2)
    )
    with DagsterInstance.ephemeral() as instance:
        materialize_week(settings, instance, WEEK)
        assert _by_type(services) == {"lab result": 2}

        _cli("label", labeled.document_id, "consent_form", "--as", "dr.who")
        materialize_week(settings, instance, WEEK)
        assert _by_type(services) == {"consent form": 1, "lab result": 1}
        # Served from the cache: the label changed the count, not a re-extraction.
        assert all(r.cached for r in read_week_features(services.store, WEEK))

        _cli("label", labeled.document_id, "visit_note", "--as", "dr.who")
        materialize_week(settings, instance, WEEK)
        assert _by_type(services) == {"lab result": 1, "visit note": 1}

    rows = audit_page(services.app, after=None, limit=10, action="documents label").items
    assert [(r.actor, r.target, r.outcome) for r in rows] == [
        ("dr.who", f"document:{labeled.document_id} label:consent_form->visit_note", "success"),
        ("dr.who", f"document:{labeled.document_id} label:(none)->consent_form", "success"),
    ]
    shown = _cli("show", labeled.document_id)
    assert "document type: visit note (decided_by: label, set by an operator's label)" in shown
    assert "document type classifier said: lab result (rules" in shown
    assert "document type: lab result (rules" in _cli("show", other.document_id)


def test_with_labels_types_only_labeled_extracted_documents_by_known_types() -> None:
    taxonomy = load_taxonomy()
    rules = {"type": "lab_result", "label": "lab result", "source": "rules", "version": "v1"}
    ok = FeatureResult("a", "ok", "text", {"document_type": rules})
    failed = FeatureResult("b", "failed", stage="read", reason="gone")
    unlabeled = FeatureResult("c", "ok", "text", {"document_type": rules})
    gone = FeatureResult("d", "ok", "text", {"document_type": rules})
    labels = {"a": "consent_form", "b": "visit_note", "d": "horoscope"}

    out = with_labels([ok, failed, unlabeled, gone], labels, taxonomy)

    found = out[0].features["document_type"]
    assert (found["type"], found["decided_by"], found["classified"]["type"]) == (
        "consent_form",
        "label",
        "lab_result",
    )
    assert ok.features["document_type"] is rules  # the input is not changed
    assert out[1:] == [failed, unlabeled, gone]
    # Re-labeled: what the classifier said is kept, not the earlier label.
    again = labeled_type(found, "visit_note", taxonomy)
    assert (again["type"], again["classified"]["type"]) == ("visit_note", "lab_result")
