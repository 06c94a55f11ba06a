"""SIGKILL the sender at many points while it mails 200 recipients, then run it again.

Every recipient must end with exactly one delivered email, except where a kill
landed inside the documented window (the server accepted the message, the row
was not yet recorded `sent`): there, and only there, one more copy with the
same Message-ID is allowed per kill.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from report_pipeline.appdb.deliveries import SENT, OutboxStore
from report_pipeline.appdb.store import AppStore, ReportResult

RECIPIENTS = 200
CHILD_TIMEOUT = 60  # seconds; a hung sender fails the test instead of hanging it
ROOT = Path(__file__).resolve().parents[2]


def addresses(n: int = RECIPIENTS) -> list[str]:
    return [f"user{i:03d}@example.com" for i in range(n)]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def prepare(url: str, recipients: list[str]) -> tuple[AppStore, int]:
    app = AppStore(url)
    app.upgrade()
    report = app.record_report(ReportResult(week=date(2024, 3, 4), state="succeeded"))
    for address in recipients:
        app.subscribe(address)
    return app, report.id


class Sender:
    """Runs sender_child.py; `kill_me()` SIGKILLs it from the SMTP server's thread."""

    def __init__(self, url: str, report_id: int, port: int, **env: str) -> None:
        self.args = [
            sys.executable,
            "-m",
            "report_pipeline_tests.delivery.sender_child",
            url,
            str(report_id),
            str(port),
        ]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.process: subprocess.Popen | None = None

    def start(self, crash: str | None = None) -> subprocess.Popen:
        self.process = subprocess.Popen(
            self.args + ([crash] if crash else []),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return self.process

    def run(self, crash: str | None = None, kill_after: float | None = None) -> tuple[int, str]:
        process = self.start(crash)
        timer = threading.Timer(kill_after, self.kill_me) if kill_after else None
        if timer:
            timer.start()
        try:
            out, err = process.communicate(timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"sender hung (crash point {crash}): {err[-2000:]}")
        finally:
            if timer:
                timer.cancel()
        return process.returncode, out + err

    def kill_me(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)


def server_kill(sender: Sender, nth: int):
    """A hook that SIGKILLs the sender on its nth call in the server, then stops firing."""
    calls = Counter()

    def hook(*_args: object) -> None:
        calls["n"] += 1
        if calls["n"] == nth:
            sender.kill_me()

    return hook


# Each run dies at one of these points; the next run recovers and goes on.
# (kind, spec): "child" = a crash point inside the sender (see sender_child.py),
# "rcpt"/"data" = the SMTP server kills it mid-dialogue, "timer" = after N seconds.
CRASHES = [
    ("child", "after:snapshot:1"),  # rows exist, nothing claimed
    ("child", "commit:3"),  # inside the first claim's transaction
    ("child", "after:claim:1"),  # 20 rows leased, none tried
    ("child", "mailer-before:5"),  # claimed, not yet handed over
    ("child", "mailer-after:9"),  # handed over, not recorded: the window
    ("rcpt", "13"),  # mid SMTP transaction
    ("data", "17"),  # server accepted, reply never read: the window
    ("child", "commit:12"),  # inside a mark_sent transaction: the window
    ("child", "after:mark_sent:10"),  # just after a recorded send
    ("child", "before:mark_failed:1"),  # a 451 refusal not yet recorded
    ("child", "after:mark_failed:1"),  # a 451 refusal recorded
    ("child", "after:reconcile_expired:1"),  # right after taking expired leases back
    ("timer", "0.9"),  # somewhere, by the clock
    ("child", "before:mark_sent:6"),  # the window once more
    ("timer", "1.3"),
]


def test_sigkill_at_many_points_then_rerun_delivers_each_recipient_once(
    database_url: str, smtp_server
) -> None:
    recipients = addresses()
    app, report_id = prepare(database_url, recipients)
    outbox = OutboxStore(app)
    sender = Sender(database_url, report_id, smtp_server.port)
    for address in recipients[150:160]:  # some failures to crash around, too
        smtp_server.transient(address, times=1)
    in_window: set[str] = set()
    killed = last_gap = 0
    for kind, spec in CRASHES:
        smtp_server.on_rcpt = server_kill(sender, int(spec)) if kind == "rcpt" else None
        smtp_server.on_data = server_kill(sender, int(spec)) if kind == "data" else None
        code, output = sender.run(
            crash=spec if kind == "child" else None,
            kill_after=float(spec) if kind == "timer" else None,
        )
        assert code in (0, -signal.SIGKILL), output
        killed += code == -signal.SIGKILL
        # What the server holds but the database does not call sent: the window.
        recorded = {d.message_id for d in app.deliveries(report_id) if d.status == SENT}
        unrecorded = set(smtp_server.message_ids()) - recorded
        assert len(unrecorded - in_window) <= 1, "one sender can have one message in the window"
        in_window |= unrecorded
        # Copies the server holds beyond the rows recorded sent grow by one per kill at most.
        gap = len(smtp_server.messages) - len(recorded)
        assert gap - last_gap <= 1, f"crash {kind}:{spec} left {gap - last_gap} unrecorded copies"
        last_gap = gap
    smtp_server.on_rcpt = smtp_server.on_data = None

    code, output = sender.run()
    assert code == 0, output
    assert killed >= 10

    received = Counter(m.rcpt_tos[0] for m in smtp_server.messages)
    assert set(received) == set(recipients)
    duplicates = {address for address, n in received.items() if n > 1}
    # At most one extra copy per crash: an address may be in the window in two runs in a row.
    assert len(smtp_server.messages) - RECIPIENTS <= killed
    duplicate_ids = {
        str(m.message["Message-ID"]) for m in smtp_server.messages if m.rcpt_tos[0] in duplicates
    }
    assert duplicate_ids <= in_window, "a duplicate outside the documented window"
    print(f"kills: {killed}, in window: {len(in_window)}, duplicates: {len(duplicates)}")
    assert outbox.counts(report_id) == Counter({SENT: RECIPIENTS})
    # Every copy of one recipient's message carries the same Message-ID.
    ids_per_recipient = {}
    for message in smtp_server.messages:
        ids_per_recipient.setdefault(message.rcpt_tos[0], set()).add(message.message["Message-ID"])
    assert all(len(ids) == 1 for ids in ids_per_recipient.values())


def test_two_senders_in_parallel_deliver_each_message_once(postgres_url: str, smtp_server) -> None:
    recipients = addresses()
    app, report_id = prepare(postgres_url, recipients)
    senders = [
        Sender(
            postgres_url, report_id, smtp_server.port, SENDER_BATCH="5", SENDER_LEASE_SECONDS="30"
        )
        for _ in range(2)
    ]
    processes = [s.start() for s in senders]
    outputs = [p.communicate(timeout=CHILD_TIMEOUT) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    sent_by = [json.loads(out.strip().splitlines()[-1])["sent"] for out, _ in outputs]
    assert sum(sent_by) == RECIPIENTS
    received = Counter(m.rcpt_tos[0] for m in smtp_server.messages)
    assert received == Counter({address: 1 for address in recipients})
    assert OutboxStore(app).counts(report_id) == Counter({SENT: RECIPIENTS})
