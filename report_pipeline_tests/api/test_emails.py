"""Email rows through the API: record once, list, validated status, (re)send."""

from __future__ import annotations

from report_pipeline.appdb.store import ReportResult
from report_pipeline.pipeline.keys import report_pdf_key
from report_pipeline_tests.api.conftest import WEEK, auth

EMAILS = "/api/reports/emails"


def _report(client, state: str = "succeeded") -> int:
    store = client.app.state.context.store
    for address in ("ann@example.com", "b@example.com"):  # only subscribers are recorded
        store.subscribe(address)
    return store.record_report(ReportResult(WEEK, state, pdf_key="reports/w.pdf")).id


def test_record_is_idempotent_and_listed_with_status(client) -> None:
    report_id = _report(client)
    service = auth("service")
    first = client.post(
        EMAILS, json={"report_id": report_id, "email": "Ann@Example.com"}, headers=service
    )
    assert first.status_code == 201 and first.json()["status"] == "pending"
    again = client.post(
        EMAILS, json={"report_id": report_id, "email": "ann@example.com"}, headers=service
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = client.get(f"{EMAILS}/{report_id}", headers=auth("operator")).json()
    assert [(e["email"], e["status"]) for e in listed["items"]] == [("ann@example.com", "pending")]
    assert (
        client.post(
            EMAILS, json={"report_id": 424242, "email": "a@example.com"}, headers=service
        ).status_code
        == 404
    )
    assert client.get(f"{EMAILS}/424242", headers=service).status_code == 404


def test_status_transitions(client) -> None:
    report_id = _report(client)
    service = auth("service")
    email = client.post(
        EMAILS, json={"report_id": report_id, "email": "b@example.com"}, headers=service
    ).json()
    url = f"{EMAILS}/{email['id']}"
    failed = client.patch(url, json={"status": "failed", "error": "mailbox full"}, headers=service)
    assert (failed.json()["status"], failed.json()["attempts"]) == ("failed", 1)
    sent = client.patch(url, json={"status": "sent", "message_id": "<m@x>"}, headers=service)
    assert sent.json()["status"] == "sent" and sent.json()["sent_at"]
    assert sent.json()["last_error"] is None
    assert client.patch(url, json={"status": "sent"}, headers=service).status_code == 200
    back = client.patch(url, json={"status": "pending"}, headers=service)
    assert back.status_code == 409 and back.json()["error"] == "invalid_transition"
    assert client.patch(url, json={"status": "queued"}, headers=service).status_code == 422
    assert (
        client.patch(f"{EMAILS}/99999", json={"status": "sent"}, headers=service).status_code == 404
    )


def test_send_launches_the_weeks_email_run(client, launcher) -> None:
    report_id = _report(client)
    response = client.post(
        f"{EMAILS}/send/{report_id}", json={"force": True}, headers=auth("operator")
    )
    assert response.status_code == 202
    assert response.json()["week"] == WEEK.isoformat() and response.json()["force"] is True
    assert client.post(f"{EMAILS}/send/{report_id}", headers=auth("operator")).status_code == 202
    assert launcher.calls == [("emails", WEEK, True), ("emails", WEEK, False)]


def test_send_sends_that_report_even_when_superseded(client, launcher) -> None:
    store = client.app.state.context.store
    old = _report(client)
    store.record_report(ReportResult(WEEK, "succeeded"))  # updates the same row
    newer = client.post(
        "/api/reports", json={"week": WEEK.isoformat(), "force": True}, headers=auth("admin")
    ).json()
    sent = client.post(f"{EMAILS}/send/{old}", headers=auth("operator"))
    assert sent.status_code == 202 and sent.json()["report_id"] == old
    assert launcher.email_reports == [old]  # that report, not the week's latest
    assert client.post(f"{EMAILS}/send/{newer['id']}", headers=auth("operator")).status_code == 409
    assert client.post(f"{EMAILS}/send/777777", headers=auth("operator")).status_code == 404
    assert [call[0] for call in launcher.calls] == ["week", "emails"]


def test_a_result_reaching_succeeded_sends_once(client, launcher) -> None:
    requested = client.post(
        "/api/reports", json={"week": WEEK.isoformat()}, headers=auth("admin")
    ).json()
    body = {
        "state": "succeeded",
        "pdf_key": report_pdf_key(WEEK, "a" * 64),
        "documents_total": 3,
        "documents_failed": 0,
    }
    url = f"/api/reports/{requested['id']}/result"
    assert client.patch(url, json=body, headers=auth("service")).status_code == 200
    assert launcher.email_reports == [requested["id"]]
    assert client.patch(url, json=body, headers=auth("service")).status_code == 200
    assert launcher.email_reports == [requested["id"]]  # the second PATCH sends nothing more
