"""Several sender workers on one outbox, one SIGKILLed mid-send: its lease runs out, the
others take its rows back and send them, and every message arrives once (plus, only when
the kill landed in the documented window, one copy with the same Message-ID).

The same crash points as test_crash_recovery.py, now with the real worker loop
(`deliveries work --until-idle`) claiming from the whole outbox: two weeks' reports.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from report_pipeline.appdb.deliveries import SENT, OutboxStore
from report_pipeline.appdb.store import AppStore, ReportResult

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 90  # seconds; a hung worker fails the test instead of hanging it
RECIPIENTS = 60
WEEKS = (date(2024, 3, 4), date(2024, 3, 11))


def prepare(url: str) -> tuple[AppStore, list[int]]:
    """Two weeks' reports, each snapshotted for the same subscribers: 120 rows to send."""
    app = AppStore(url)
    app.upgrade()
    for number in range(RECIPIENTS):
        app.subscribe(f"user{number:03d}@example.com")
    outbox, report_ids = OutboxStore(app), []
    for week in WEEKS:
        report = app.record_report(ReportResult(week=week, state="succeeded"))
        outbox.snapshot(report.id)
        report_ids.append(report.id)
    return app, report_ids


def start_worker(url: str, port: int, crash: str | None = None) -> subprocess.Popen:
    """The worker that will be killed leases for 4 s, so the others take its rows back
    soon; the survivors for 30 s. Leases far shorter than a message can take on a
    loaded machine would let a live sender's row be taken back mid-send: a slow
    sender's duplicate, not a crash's (docs/delivery.md: keep the lease well above a send)."""
    return subprocess.Popen(
        [sys.executable, "-m", "report_pipeline_tests.delivery.worker_child", url, str(port)]
        + ([crash] if crash else []),
        env={**os.environ, "PYTHONPATH": str(ROOT), "SENDER_LEASE_SECONDS": "4" if crash else "30"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_first_claim(app: AppStore, process: subprocess.Popen) -> None:
    """The worker that will crash must hold rows before the others start: otherwise they
    may drain the outbox first and its crash point is never reached (it exits 0)."""
    outbox, deadline = OutboxStore(app), time.monotonic() + CHILD_TIMEOUT
    while outbox.being_sent() == 0 and process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the crashing worker never claimed a row: {process.communicate()[1]}")
        time.sleep(0.05)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"a worker hung: {err[-2000:]}")
    return process.returncode, out, err


# (crash point of the first worker, whether it lies in the duplicate window)
CRASHES = [
    ("after:claim:1", False),  # five rows leased, none tried
    ("mailer-before:4", False),  # claimed, about to hand one over
    ("before:mark_failed:1", False),  # a 451 refusal not yet recorded
    ("mailer-after:6", True),  # handed over, not recorded: the window
    ("before:mark_sent:3", True),  # the window once more
]


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.mark.parametrize(("crash", "in_window"), CRASHES)
def test_a_worker_killed_mid_send_is_covered_by_the_others(
    database_url: str, smtp_server, crash: str, in_window: bool
) -> None:
    app, report_ids = prepare(database_url)
    for number in range(0, RECIPIENTS, 7):  # refusals to crash around, for everybody
        smtp_server.transient(f"user{number:03d}@example.com", times=1)
    crashing = start_worker(database_url, smtp_server.port, crash)
    wait_for_first_claim(app, crashing)
    workers = [crashing] + [start_worker(database_url, smtp_server.port) for _ in range(2)]
    results = [finish(worker) for worker in workers]

    assert results[0][0] == -signal.SIGKILL, results[0][2][-2000:]
    assert [code for code, _, _ in results[1:]] == [0, 0], [err[-2000:] for *_, err in results]
    sent_by_survivors = sum(json.loads(out.splitlines()[-1])["sent"] for _, out, _ in results[1:])
    rows = RECIPIENTS * len(WEEKS)
    outbox = OutboxStore(app)
    assert sum((outbox.counts(report_id) for report_id in report_ids), Counter()) == Counter(
        {SENT: rows}
    )
    copies = Counter(smtp_server.message_ids())
    recorded = {d.message_id for r in report_ids for d in app.deliveries(r)}
    assert set(copies) == recorded and len(recorded) == rows  # everybody, each week's report
    duplicates = {message_id for message_id, n in copies.items() if n > 1}
    if in_window:
        # The killed worker had one message in hand: at most that one arrives twice.
        assert len(duplicates) <= 1
    else:
        assert not duplicates, duplicates
    # What the killed worker held when it died (leased, not recorded) can only have
    # been recorded sent by the survivors, after its lease ran out.
    assert 0 < sent_by_survivors <= rows
