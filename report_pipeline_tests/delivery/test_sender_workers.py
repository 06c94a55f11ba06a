"""`report-pipeline deliveries work`: sender workers draining the outbox of every week.

End to end: two weeks' rendered reports in PostgreSQL and the object store, three
worker processes with two senders each against a real SMTP server, one send rate
shared in Redis; every recipient gets each week's report exactly once. Then the
in-process pieces: a stop request finishes the message in hand and hands the rest
back; the email run in workers mode waits for the workers and fails clearly
without them.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from report_pipeline.appdb.deliveries import PENDING, SENT, OutboxStore
from report_pipeline.appdb.store import AppStore, ReportResult
from report_pipeline.delivery.dispatch import (
    ReportComposer,
    ReportToSend,
    SendersIdle,
    await_senders,
)
from report_pipeline.delivery.outbox import SenderSettings
from report_pipeline.delivery.worker import ReportMail, WorkerSettings, run_worker
from report_pipeline.pipeline.publish import publish_report
from report_pipeline.resources.connections import object_store_config, open_object_store
from report_pipeline.settings import load_settings
from report_pipeline_tests.delivery.sender_child import SUMMARY
from report_pipeline_tests.report.factories import WEEK, entry, failed, image_ok, text_ok

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 120
GENERATED = datetime(2024, 3, 18, 6, tzinfo=UTC)


def worker_env(home: Path, database_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    drop = ("REPORT_PIPELINE_", "DAGSTER_HOME")
    base = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {
        **base,
        "PYTHONPATH": str(ROOT),
        "REPORT_PIPELINE_HOME": str(home),
        "REPORT_PIPELINE_FIRST_WEEK": "2024-01-01",
        "REPORT_PIPELINE_DATABASE_URL": database_url,
        "REPORT_PIPELINE_MAILER": "smtp",
        "REPORT_PIPELINE_SMTP_HOST": "127.0.0.1",
        "REPORT_PIPELINE_SMTP_PORT": str(smtp_port),
        "REPORT_PIPELINE_SMTP_SECURITY": "none",
        "REPORT_PIPELINE_DELIVERY_BATCH_SIZE": "5",
        **extra,
    }


def publish_weeks(env: dict[str, str], app: AppStore, weeks: int) -> list[tuple[int, str]]:
    """Rendered reports of `weeks` weeks, as the weekly_report asset leaves them."""
    store = open_object_store(object_store_config(load_settings(env)))
    reports = []
    for number in range(weeks):
        week = WEEK + timedelta(weeks=number)
        created = datetime(week.year, week.month, week.day, 12, tzinfo=UTC)
        entries = [
            entry("doc-a", created_at=created),
            entry("doc-b", content_type="image/png", created_at=created),
            entry("doc-c", created_at=created),
        ]
        results = [text_ok("doc-a"), image_ok("doc-b"), failed("doc-c", "read", "empty file")]
        out = publish_report(store, week, entries, results, GENERATED)
        row = app.record_report(
            ReportResult(
                week,
                "succeeded",
                report_uri=out.uri,
                pdf_key=out.pdf_key,
                pdf_sha256=out.pdf_sha256,
                documents_total=3,
                documents_failed=1,
            )
        )
        reports.append((row.id, out.pdf_sha256))
    return reports


def test_three_worker_processes_deliver_every_weeks_report_to_everybody_once(
    tmp_path: Path, postgres_url: str, redis_url: str, smtp_server
) -> None:
    env = worker_env(
        tmp_path / "home",
        postgres_url,
        smtp_server.port,
        REPORT_PIPELINE_REDIS_URL=redis_url,
        REPORT_PIPELINE_SMTP_MAX_RATE="400",  # shared by all six senders, in Redis
    )
    app = AppStore(postgres_url)
    app.upgrade()
    recipients = [f"reader{number:02d}@example.com" for number in range(40)]
    for address in recipients:
        app.subscribe(address)
    reports = publish_weeks(env, app, weeks=2)
    outbox = OutboxStore(app)
    for report_id, _ in reports:
        outbox.snapshot(report_id)
    command = [sys.executable, "-m", "report_pipeline.cli", "deliveries", "work"]
    workers = [
        subprocess.Popen(
            [*command, "--until-idle", "--concurrency", "2", "--json", "--poll-seconds", "0.1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [worker.communicate(timeout=CHILD_TIMEOUT) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    summaries = [json.loads(out) for out, _ in outputs]
    assert all(s["ok"] and s["stopped"] == "idle" and s["senders"] == 2 for s in summaries)
    assert sum(s["sent"] for s in summaries) == len(recipients) * 2
    # Each recipient got each week's report once: one message per (week, address).
    subjects = Counter((m.rcpt_tos[0], str(m.message["Subject"])) for m in smtp_server.messages)
    assert len(subjects) == len(recipients) * 2 and set(subjects.values()) == {1}
    assert Counter(smtp_server.message_ids()) == Counter(
        {d.message_id: 1 for report_id, _ in reports for d in app.deliveries(report_id)}
    )
    for report_id, sha in reports:
        rows = app.deliveries(report_id)
        assert {d.status for d in rows} == {SENT} and len(rows) == len(recipients)
        assert {d.pdf_sha256 for d in rows} == {sha}  # the version each message carried
    # The messages carry the week's PDF, rendered by the workers from the object store.
    attached = next(smtp_server.messages[0].message.iter_attachments()).get_content()
    assert hashlib.sha256(attached).hexdigest() in {sha for _, sha in reports}


def test_a_long_running_worker_stops_cleanly_on_sigterm(
    tmp_path: Path, postgres_url: str, smtp_server
) -> None:
    env = worker_env(tmp_path / "home", postgres_url, smtp_server.port)
    AppStore(postgres_url).upgrade()
    worker = subprocess.Popen(
        [sys.executable, "-m", "report_pipeline.cli", "deliveries", "work", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "1 sender(s) started" in worker.stderr.readline()
    try:
        worker.wait(timeout=1)  # nothing to send: it keeps polling instead of exiting
        pytest.fail(f"the worker exited on an empty outbox: {worker.communicate()}")
    except subprocess.TimeoutExpired:
        pass
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=CHILD_TIMEOUT)
    assert worker.returncode == 0, err
    assert json.loads(out) | {"seconds": 0} == {
        "ok": True,
        "senders": 1,
        "seconds": 0,
        "sent": 0,
        "failed": 0,
        "dead": 0,
        "lost_leases": 0,
        "stopped": "signal",
        "errors": [],
        "dead_errors": [],
    }


class StoppingMailer:
    """Accepts messages; asks the worker to stop while it hands over the third one."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop, self.sent = stop, []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message) -> None:
        self.sent.append(str(message["Message-ID"]))
        if len(self.sent) == 3:
            self.stop.set()  # SIGTERM arrives mid-send


def test_a_stop_request_finishes_the_message_in_hand_and_hands_the_rest_back(
    tmp_path: Path,
) -> None:
    app = AppStore(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    app.upgrade()
    for number in range(10):
        app.subscribe(f"user{number}@example.com")
    report = app.record_report(ReportResult(week=WEEK, state="succeeded"))
    outbox = OutboxStore(app)
    outbox.snapshot(report.id)
    pdf = b"%PDF-1.4\n%%EOF\n"
    composer = ReportComposer(
        ReportToSend(report.id, WEEK, SUMMARY, pdf, "weekly-report.pdf"),
        "reports@example.com",
    )
    stop = threading.Event()
    mailer = StoppingMailer(stop)
    totals = run_worker(
        outbox,
        lambda _report_id: ReportMail(composer, hashlib.sha256(pdf).hexdigest()),
        mailer,
        stop=stop,
        settings=SenderSettings(batch_size=10),
        worker=WorkerSettings(until_idle=True, poll_seconds=0.05),  # ends even if never stopped
    )
    assert totals.sent == 3 and len(mailer.sent) == 3
    counts = outbox.counts(report.id)
    assert counts == Counter({SENT: 3, PENDING: 7})  # handed back at once, not leased
    assert all(d.attempts == 0 for d in app.deliveries(report.id) if d.status == PENDING)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_email_run_gives_up_with_one_clear_line_when_no_worker_drains(tmp_path) -> None:
    app = AppStore(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    app.upgrade()
    app.subscribe("ann@example.com")
    report = app.record_report(ReportResult(week=WEEK, state="succeeded"))
    OutboxStore(app).snapshot(report.id)
    clock = FakeClock()
    with pytest.raises(SendersIdle, match="start `report-pipeline deliveries work`"):
        await_senders(app, report.id, 0, idle_timeout=30, sleep=clock.sleep, clock=clock)
    assert 30 <= clock.now <= 32  # gave up after the configured time without progress
