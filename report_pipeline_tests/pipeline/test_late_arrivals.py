"""A document created in a week whose report is already published is counted late, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dagster import DagsterInstance
from pypdf import PdfReader

from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.manifest import read_manifest
from report_pipeline.pipeline.published import late_arrivals_of
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.api.conftest import auth, build_client
from report_pipeline_tests.weekly_assets import materialize_week

CLOSED = date(2024, 3, 4)
NEXT, AFTER = CLOSED + timedelta(weeks=1), CLOSED + timedelta(weeks=2)


def _note(services, number: int, day: date, customer: str = "acme") -> str:
    at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC) + timedelta(days=1)
    text = f"Visit note {number}: patient seen, vitals stable, follow up in two weeks."
    return store_document(
        services, text.encode(), f"note-{number}.txt", "text/plain", customer, at
    ).document_id


def _week(settings, instance, week: date) -> None:
    materialize_week(settings, instance, week)


def _pdf_text(services, week: date) -> str:
    report = services.app.latest_report(week)
    pages = PdfReader(services.store.local_path(report.pdf_key)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_a_late_document_is_counted_in_the_next_report_once(settings) -> None:
    services = open_services(settings)
    _note(services, 1, CLOSED)
    _note(services, 2, NEXT)
    with DagsterInstance.ephemeral() as instance:
        _week(settings, instance, CLOSED)
        mailed = services.app.latest_report(CLOSED).pdf_sha256
        late = _note(services, 3, CLOSED, customer="globex")  # arrives after it was published
        _week(settings, instance, NEXT)
        _week(settings, instance, AFTER)

    [entry] = [e for e in read_manifest(services.store, NEXT) if e.late_for]
    assert (entry.record.document_id, entry.late_for) == (late, CLOSED.isoformat())
    assert services.app.latest_report(CLOSED).pdf_sha256 == mailed  # the closed week stays
    assert late_arrivals_of(services.store, NEXT) == {CLOSED.isoformat(): 1}
    assert late_arrivals_of(services.store, NEXT, "globex") == {CLOSED.isoformat(): 1}
    assert late_arrivals_of(services.store, NEXT, "acme") == {}
    assert f"Arrived late for the week of {CLOSED.isoformat()}: 1 document(s)" in _pdf_text(
        services, NEXT
    )
    assert services.app.latest_report(NEXT).documents_total == 2
    with build_client(settings, services.app, None, services.catalog) as client:
        listed = client.get(f"/api/reports?week={NEXT}&customer=*", headers=auth("analyst"))
    assert listed.status_code == 200, listed.text
    by_scope = {item["scope"]: item["late_arrivals"] for item in listed.json()["items"]}
    assert by_scope["all"] == by_scope["globex"] == {CLOSED.isoformat(): 1}
    # Listed once: the week after does not count it again.
    assert not [e for e in read_manifest(services.store, AFTER) if e.late_for]
    assert late_arrivals_of(services.store, AFTER) == {}


def test_an_unpublished_week_gets_no_late_arrivals(settings) -> None:
    services = open_services(settings)
    _note(services, 1, CLOSED)  # the closed week never got a report: nothing is late
    _note(services, 2, NEXT)
    with DagsterInstance.ephemeral() as instance:
        _week(settings, instance, NEXT)
    assert not [e for e in read_manifest(services.store, NEXT) if e.late_for]
