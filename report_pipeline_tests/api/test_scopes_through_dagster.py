"""Scopes through the API and real Dagster runs (embedded launcher, no daemon):
the week is rendered per customer, each scope's report is sent once, a forced
re-render mails nobody, and `send/{id}` of an older report mails that report's PDF."""

from __future__ import annotations

import email
import hashlib
import time
from datetime import UTC, datetime
from email import policy

import pytest
from dagster import DagsterInstance
from fastapi.testclient import TestClient

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.api.launcher import EmbeddedRunLauncher
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.api.conftest import JWT, auth

WEEK = "2024-03-04"
SUBSCRIBERS = {
    "staff@example.com": None,
    "ann@acme.example": "acme",
    "gus@globex.example": "globex",
}


def _add_note(settings, customer: str, text: str) -> None:
    store_document(
        open_services(settings),
        text.encode(),
        "note.txt",
        "text/plain",
        customer,
        datetime(2024, 3, 5, 10, tzinfo=UTC),
    )


def _wait_for_run(run_id: str) -> None:
    # Waits for the run to end (not a speed limit: the run's result is what is asserted).
    with DagsterInstance.get() as instance:
        for _ in range(1200):
            run = instance.get_run_by_id(run_id)
            if run and run.is_finished:
                assert run.is_success, run.status
                return
            time.sleep(0.5)
    pytest.fail(f"run {run_id} did not finish")


def _mailed(settings) -> list[tuple[str, str]]:
    """(recipient, sha256 of the attached PDF) of every message written to the outbox."""
    found = []
    for path in sorted((settings.home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        [pdf] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        digest = hashlib.sha256(pdf.get_payload(decode=True)).hexdigest()
        found.append((str(message["To"]).split("<")[-1].rstrip(">"), digest))
    return found


def _render(client: TestClient, force: bool = False) -> dict[str, dict]:
    """POST /api/reports, wait for the run; the week's newest report of each scope."""
    created = client.post("/api/reports", json={"week": WEEK, "force": force}, headers=OPERATOR)
    assert created.status_code == 201, created.text
    _wait_for_run(created.json()["dagster_run_id"])
    listed = client.get("/api/reports", params={"week": WEEK, "customer": "*"}, headers=OPERATOR)
    newest: dict[str, dict] = {}
    for report in listed.json()["items"]:  # newest first
        newest.setdefault(report["scope"], report)
    return newest


def _send(client: TestClient, report: dict, force: bool = False) -> None:
    sent = client.post(
        f"/api/reports/emails/send/{report['id']}", json={"force": force}, headers=OPERATOR
    )
    assert sent.status_code == 202, sent.text
    _wait_for_run(sent.json()["run_id"])


def _sent(client: TestClient, report: dict) -> list[dict]:
    page = client.get(f"/api/reports/emails/{report['id']}", headers=OPERATOR)
    return [row for row in page.json()["items"] if row["status"] == "sent"]


OPERATOR = auth("operator")


@pytest.mark.slow
def test_scoped_reports_are_sent_once_and_an_older_report_on_request(pipeline_settings) -> None:
    settings = pipeline_settings
    _add_note(settings, "acme", "Visit note: dosage unchanged, no adverse events.")
    _add_note(settings, "globex", "Lab summary: potassium within range.")
    config = ApiConfig(
        jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=60
    )
    app = create_app(settings, config=config, launcher=EmbeddedRunLauncher(settings))
    with TestClient(app) as client:
        for address, customer in SUBSCRIBERS.items():
            body = {"email": address} | ({"customer": customer} if customer else {})
            added = client.post("/api/reports/registered-users", json=body, headers=auth("admin"))
            assert added.status_code == 201, added.text

        first = _render(client)
        assert set(first) == {"all", "acme", "globex"}
        assert _mailed(settings) == []  # rendering mails nobody; sending is a separate run
        for report in first.values():
            _send(client, report)
        mailed = _mailed(settings)
        assert sorted(mailed) == sorted(
            (address, first[customer or "all"]["pdf_sha256"])
            for address, customer in SUBSCRIBERS.items()
        )

        # A new acme document, then a forced re-render: new versions, nobody mailed.
        _add_note(settings, "acme", "Follow-up: adverse event reported, dose reduced.")
        second = _render(client, force=True)
        assert second["acme"]["pdf_sha256"] != first["acme"]["pdf_sha256"]
        assert second["globex"]["pdf_sha256"] == first["globex"]["pdf_sha256"]  # unchanged
        assert second["all"]["id"] != first["all"]["id"]  # a forced request is a new report
        _send(client, second["all"])  # already mailed this week and scope: skipped
        assert _mailed(settings) == mailed

        # The older `all` report, forced: its own PDF goes out again, not the newest one.
        before = _sent(client, first["all"])
        _send(client, first["all"], force=True)
        after = _sent(client, first["all"])
        assert [(row["email"], row["pdf_sha256"]) for row in after] == [
            ("staff@example.com", first["all"]["pdf_sha256"])
        ]
        assert after[0]["sent_at"] > before[0]["sent_at"]  # mailed again
        assert len(_mailed(settings)) == len(mailed)  # same Message-ID: same outbox file
