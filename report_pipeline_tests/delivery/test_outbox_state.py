"""The outbox state machine on SQLite and PostgreSQL: claims, leases, reconciliation, backoff."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from report_pipeline.appdb.deliveries import (
    DEAD,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    Handover,
    OutboxStore,
)
from report_pipeline.appdb.store import AppStore, ReportResult
from report_pipeline.delivery.outbox import RetryPolicy

LEASE = timedelta(seconds=60)


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox(request: pytest.FixtureRequest, settings) -> OutboxStore:
    url = (
        settings.database_url
        if request.param == "sqlite"
        else (request.getfixturevalue("postgres_url"))
    )
    app = AppStore(url)
    app.upgrade()
    yield OutboxStore(app)
    app.engine.dispose()


def with_report(outbox: OutboxStore, n: int) -> int:
    report = outbox.app.record_report(ReportResult(week=date(2024, 3, 4), state="succeeded"))
    for i in range(n):
        outbox.app.subscribe(f"u{i:03d}@example.com")
    assert outbox.snapshot(report.id) == n
    return report.id


def statuses(outbox: OutboxStore, report_id: int) -> dict[str, str]:
    return {d.email: d.status for d in outbox.app.deliveries(report_id)}


def test_snapshot_is_unique_per_address_and_skips_inactive(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 3)
    outbox.app.unsubscribe("u000@example.com")
    outbox.app.subscribe("new@example.com")
    assert outbox.snapshot(report_id) == 1  # only the newcomer
    assert outbox.snapshot(report_id) == 0
    assert sorted(statuses(outbox, report_id)) == [
        "new@example.com",
        "u000@example.com",
        "u001@example.com",
        "u002@example.com",
    ]


def test_claims_never_overlap_between_parallel_claimers(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 120)
    taken: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        barrier.wait()
        mine = taken.setdefault(name, [])
        while batch := outbox.claim(report_id, name, 7, LEASE):
            mine.extend(d.id for d in batch)

    threads = [threading.Thread(target=claimer, args=(f"s{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    all_ids = [i for ids in taken.values() for i in ids]
    assert len(all_ids) == len(set(all_ids)) == 120
    assert set(statuses(outbox, report_id).values()) == {SENDING}


def test_outcomes_are_written_only_by_the_lease_owner(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 2)
    first, second = outbox.claim(report_id, "a", 10, LEASE)
    assert outbox.mark_failed(first.id, "intruder", "x", retry_at=None) is None
    assert outbox.renew([first.id, second.id], "intruder", LEASE) == set()
    assert (
        outbox.mark_failed(
            first.id, "a", "451 later", retry_at=datetime.now(UTC) + timedelta(hours=1)
        )
        == FAILED
    )
    assert outbox.claim(report_id, "b", 10, LEASE) == []  # not due yet, second is leased
    assert outbox.mark_sent(second.id, "a", Handover("<id@x>")) is True
    assert statuses(outbox, report_id) == {"u000@example.com": FAILED, "u001@example.com": SENT}


def test_expired_leases_are_reconciled_and_retried_then_dead(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 1)
    for attempt in (1, 2, 3):
        [claimed] = outbox.claim(report_id, f"sender-{attempt}", 10, timedelta(seconds=-1))
        assert claimed.attempts == attempt
        # the sender "died": nothing recorded, its lease is already over
        assert outbox.reconcile_expired(report_id, max_attempts=3) == 1
        expected = FAILED if attempt < 3 else DEAD
        assert statuses(outbox, report_id) == {"u000@example.com": expected}
    assert outbox.claim(report_id, "late", 10, LEASE) == []
    [row] = outbox.app.deliveries(report_id)
    assert "lease expired" in row.last_error


def test_a_late_sender_still_records_sent(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 1)
    [slow] = outbox.claim(report_id, "slow", 10, timedelta(seconds=-1))
    outbox.reconcile_expired(report_id, max_attempts=5)
    [again] = outbox.claim(report_id, "successor", 10, LEASE)
    assert outbox.mark_sent(slow.id, "slow", Handover("<m@x>")) is False  # lease lost, truth kept
    assert statuses(outbox, report_id) == {"u000@example.com": SENT}
    assert outbox.mark_failed(again.id, "successor", "x", retry_at=None) is None


def test_sent_is_recorded_after_the_database_dropped_the_kept_connection(postgres_url: str) -> None:
    app = AppStore(postgres_url)
    app.upgrade()
    outbox = OutboxStore(app)
    report_id = with_report(outbox, 2)
    first, second = outbox.claim(report_id, "a", 10, LEASE)
    assert outbox.mark_sent(first.id, "a", Handover("<1@x>")) is True
    kept = outbox._connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    outbox._connection.rollback()
    with app.engine.connect() as admin:  # a restart or failover ends the session
        admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(kept)})")
    assert outbox.mark_sent(second.id, "a", Handover("<2@x>")) is True
    assert statuses(outbox, report_id) == {"u000@example.com": SENT, "u001@example.com": SENT}
    assert outbox._connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != kept
    outbox.close()
    app.engine.dispose()


def test_release_returns_untried_rows_without_spending_an_attempt(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 3)
    batch = outbox.claim(report_id, "a", 10, LEASE)
    assert outbox.release([d.id for d in batch], "a") == 3
    assert set(statuses(outbox, report_id).values()) == {PENDING}
    assert {d.attempts for d in outbox.claim(report_id, "b", 10, LEASE)} == {1}


def test_next_wakeup_names_the_earliest_retry_or_lease_end(outbox: OutboxStore) -> None:
    report_id = with_report(outbox, 2)
    assert outbox.next_wakeup(report_id) is None
    first, _ = outbox.claim(report_id, "a", 10, timedelta(minutes=10))
    retry = datetime.now(UTC) + timedelta(minutes=1)
    outbox.mark_failed(first.id, "a", "451", retry_at=retry)
    assert abs((outbox.next_wakeup(report_id) - retry).total_seconds()) < 1


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(max_attempts=6, base_delay=10, max_delay=100, jitter=0.5)
    rng = random.Random(7)
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100)]:
        delays = [policy.delay(attempts, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 10  # really jittered
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert policy.retry_at(6, now, rng, permanent=False) is None
    assert policy.retry_at(1, now, rng, permanent=True) is None
    assert policy.retry_at(1, now, rng, permanent=False) > now


def test_sqlite_claimers_in_separate_processes_do_not_overlap(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    report_id = with_report(OutboxStore(_upgraded(url)), 150)
    script = (
        "import sys, json\nfrom datetime import timedelta\n"
        "from report_pipeline.appdb.store import AppStore\n"
        "from report_pipeline.appdb.deliveries import OutboxStore\n"
        "o = OutboxStore(AppStore(sys.argv[1])); ids = []\n"
        "while b := o.claim(int(sys.argv[2]), sys.argv[3], 3, timedelta(minutes=5)):\n"
        "    ids += [d.id for d in b]\n"
        "print(json.dumps(ids))\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, url, str(report_id), f"p{i}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    claimed = [json.loads(p.communicate(timeout=60)[0]) for p in processes]
    flat = [i for ids in claimed for i in ids]
    assert len(flat) == len(set(flat)) == 150


def _upgraded(url: str) -> AppStore:
    app = AppStore(url)
    app.upgrade()
    return app
