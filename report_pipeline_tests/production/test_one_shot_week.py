"""The CronJob's command end to end on the production path (scheduled one-shot mode).

`report-pipeline run --week last` as a process, as deploy/cron/ starts it: the
Dagster instance from deploy/dagster.yaml on PostgreSQL, the app database on
PostgreSQL, objects in S3 and mail through SES (both on the moto server). The
documents are stored in the real last closed week, so `last` needs no clock
override.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time, timedelta

import boto3
import pytest

from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.connections import open_services
from report_pipeline.weeks import last_closed_week

SUBSCRIBERS = ("ann@example.com", "bob@example.com")


@pytest.fixture
def ses_sent(production, s3_endpoint, monkeypatch):
    """Mail through SES v2 on the moto server; returns the recipients of what was sent so far."""
    from email.utils import parseaddr

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sender = f"reports-{uuid.uuid4().hex[:8]}@example.com"
    boto3.client("sesv2", region_name="us-east-1", endpoint_url=s3_endpoint).create_email_identity(
        EmailIdentity=sender
    )
    for name, value in {
        "REPORT_PIPELINE_MAILER": "ses",
        "REPORT_PIPELINE_MAIL_FROM": sender,
        "REPORT_PIPELINE_SES_ENDPOINT_URL": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)

    def recipients() -> list[str]:
        """One entry per message sent (moto lists a raw message's recipient once per source
        it read it from: the API's Destination and the To header)."""
        backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        return sorted(
            address
            for message in backend.sent_messages
            if parseaddr(getattr(message, "source", ""))[1] == sender
            for address in set(message.destinations)
        )

    return recipients


def _seed_last_week(notes: list[bytes]) -> str:
    """The documents in the last closed week, two subscribers; returns the week's key."""
    week = last_closed_week()
    services = open_services(_settings())
    at = datetime.combine(week + timedelta(days=1), time(9), UTC)
    for number, body in enumerate(notes):
        store_document(
            services, body, f"note-{number}.txt", "text/plain", "acme", at, document_id=f"n{number}"
        )
    for address in SUBSCRIBERS:
        services.app.subscribe(address)
    return week.isoformat()


def _settings():
    from report_pipeline.settings import load_settings

    return load_settings()


def _run_last(*extra: str) -> subprocess.CompletedProcess:
    """The CronJob's command, in a process of its own with this test's deployment environment."""
    return subprocess.run(
        [sys.executable, "-m", "report_pipeline.cli", "run", "--week", "last", *extra],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=900,
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.slow
def test_a_good_week_exits_0_and_a_second_start_sends_nothing(production, ses_sent) -> None:
    week = _seed_last_week(
        [f"Visit {n}: dosage stable, no adverse events.".encode() for n in range(3)]
    )

    first = _run_last()
    assert first.returncode == 0, first.stderr[-3000:]
    assert _error_lines(first.stderr) == []
    assert f"week {week}: 3 documents, 0 failed" in first.stdout
    assert "emails: 2 sent, 0 skipped, 0 failed" in first.stdout
    assert ses_sent() == sorted(SUBSCRIBERS)  # exactly one email each

    again = _run_last("--json")  # started twice: a re-run by hand, or a second tick
    assert again.returncode == 0, again.stderr[-3000:]
    [line] = again.stdout.strip().splitlines()
    summary = json.loads(line)
    assert summary["ok"] is True and summary["week"] == week
    assert (summary["emails_sent"], summary["emails_skipped"]) == (0, 2)
    assert ses_sent() == sorted(SUBSCRIBERS)  # nobody mailed twice
    report = open_services(_settings()).app.latest_report(last_closed_week())
    assert report.report_uri.startswith(f"s3://{production.bucket}/pipeline/reports/{week}/")


@pytest.mark.slow
def test_a_held_week_exits_3_with_one_line_saying_why_and_what_to_do(
    production, ses_sent, monkeypatch
) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "0.1")
    week = _seed_last_week([b"Visit: patient stable.", b""])  # the empty file cannot be read

    held = _run_last()
    assert held.returncode == 3, held.stderr[-3000:]
    [line] = _error_lines(held.stderr)
    assert held.stderr.strip().splitlines()[-1] == line  # the last thing a log viewer shows
    # every document is acme's: the week and the customer are held, the week's reason first
    assert line.startswith(
        f"error: week {week} emails held (also for customer acme): report held:"
        " 1 of 2 documents failed (50.0%)"
    )
    assert "REPORT_PIPELINE_MAX_FAILED_SHARE" in line
    assert f"`report-pipeline reports release --week {week}`" in line
    assert ses_sent() == []


@pytest.mark.slow  # dagster-postgres retries the connection for about a minute
def test_an_instance_database_that_is_down_is_one_line_not_a_traceback(
    production, monkeypatch
) -> None:
    from report_pipeline_tests.services import free_port

    monkeypatch.setenv("DAGSTER_PG_PORT", str(free_port()))  # nothing listens there
    down = _run_last("--json")
    assert down.returncode == 1
    [line] = down.stderr.strip().splitlines()
    assert line.startswith("error: cannot open the Dagster instance (")
    assert "Connection refused" in line
    assert json.loads(down.stdout)["error"] == line.removeprefix("error: ")
