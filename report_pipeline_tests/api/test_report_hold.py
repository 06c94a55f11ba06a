"""GET /api/reports/{id} shows the completeness gate's hold and its release."""

from __future__ import annotations

from report_pipeline.appdb.reports import release_hold, set_hold
from report_pipeline.appdb.store import ReportResult
from report_pipeline_tests.api.conftest import WEEK, auth


def test_a_held_report_shows_why_and_who_released_it(client) -> None:
    store = client.app.state.context.store
    row = store.record_report(ReportResult(WEEK, "succeeded", pdf_key="reports/a.pdf",
                                           documents_total=10, documents_failed=3))
    set_hold(store, row.id, "3 of 10 documents failed (30.0%), over the 10% limit")
    held = client.get(f"/api/reports/{row.id}", headers=auth("analyst")).json()
    assert held["emails_held"] is True
    assert held["hold_reason"].startswith("3 of 10 documents failed")
    assert held["released_at"] is None

    release_hold(store, WEEK, "operator-ann")
    released = client.get(f"/api/reports/{row.id}", headers=auth("analyst")).json()
    assert released["emails_held"] is False and released["released_by"] == "operator-ann"
    assert released["hold_reason"]  # kept for the record
