"""GET /api/reports/{id} shows the completeness gate's hold and its release."""

from __future__ import annotations

from report_pipeline.appdb.reports import release_hold, set_hold
from report_pipeline.appdb.store import ReportResult
from report_pipeline_tests.api.conftest import WEEK, auth


def test_a_held_report_shows_why_and_who_released_it(client) -> None:
    store = client.app.state.context.store
    row = store.record_report(
        ReportResult(
            WEEK, "succeeded", pdf_key="reports/a.pdf", documents_total=10, documents_failed=3
        )
    )
    set_hold(store, row.id, "3 of 10 documents failed (30.0%), over the 10% limit")
    held = client.get(f"/api/reports/{row.id}", headers=auth("analyst")).json()
    assert held["emails_held"] is True
    assert held["hold_reason"].startswith("3 of 10 documents failed")
    assert held["released_at"] is None

    release_hold(store, WEEK, "operator-ann")
    released = client.get(f"/api/reports/{row.id}", headers=auth("analyst")).json()
    assert released["emails_held"] is False and released["released_by"] == "operator-ann"
    assert released["hold_reason"]  # kept for the record


def test_an_operator_releases_a_held_report_then_its_emails_can_be_sent(client, launcher) -> None:
    store = client.app.state.context.store
    row = store.record_report(
        ReportResult(
            WEEK, "succeeded", pdf_key="reports/a.pdf", documents_total=10, documents_failed=3
        )
    )
    set_hold(store, row.id, "3 of 10 documents failed (30.0%), over the 10% limit")

    refused = client.post(f"/api/reports/emails/send/{row.id}", headers=auth("operator"))
    assert refused.status_code == 409 and refused.json()["error"] == "held"
    assert "3 of 10 documents failed" in refused.json()["message"]
    assert launcher.calls == []
    assert client.post(f"/api/reports/{row.id}/release", headers=auth("analyst")).status_code == 403

    released = client.post(f"/api/reports/{row.id}/release", headers=auth("operator"))
    assert released.status_code == 200
    assert released.json()["emails_held"] is False
    assert released.json()["released_by"] == "user-operator"
    sent = client.post(f"/api/reports/emails/send/{row.id}", headers=auth("operator"))
    assert sent.status_code == 202 and launcher.calls == [("emails", WEEK, False)]
    audit = client.get(
        "/api/audit?action=POST%20/api/reports/%7Breport_id%7D/release", headers=auth("admin")
    ).json()["items"]
    assert sorted((a["actor"], a["outcome"]) for a in audit) == [
        ("user-analyst", "denied"),
        ("user-operator", "success"),
    ]


def test_releasing_a_report_that_is_not_held_is_a_conflict(client) -> None:
    store = client.app.state.context.store
    row = store.record_report(
        ReportResult(
            WEEK, "succeeded", pdf_key="reports/a.pdf", documents_total=10, documents_failed=0
        )
    )
    response = client.post(f"/api/reports/{row.id}/release", headers=auth("operator"))
    assert response.status_code == 409 and response.json()["error"] == "not_held"
    assert client.post("/api/reports/999999/release", headers=auth("operator")).status_code == 404
