"""A sender worker: claims due deliveries of any week and scope from the outbox and sends them.

Any number of workers (threads here, processes, replicas on other machines)
run this loop side by side. They coordinate only through the outbox: a claim
is a leased `SKIP LOCKED` update, so no two take the same row, and a worker that
dies leaves leases that expire and are taken back by the others (see
outbox.py for the one duplicate window). The send rate they share lives
behind the mailer (delivery/rate.py).

A worker stops when `stop` is set (SIGTERM, SIGINT) after the message in hand,
handing the rest of its batch back; with `until_idle` it also stops once
nothing is left to do: no row due, none being sent by anybody (a dead sender's
lease is waited out and its row sent), and, when the settings wait for
retries, none waiting for one.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from report_pipeline.appdb.deliveries import ClaimedDelivery, OutboxStore
from report_pipeline.delivery.mailers import Mailer, SendError
from report_pipeline.delivery.outbox import (
    Compose,
    RetryPolicy,
    SenderSettings,
    SenderTotals,
    _record_failure,
    _send_batch,
    sender_id,
    utcnow,
)


@dataclass(frozen=True)
class ReportMail:
    """How to build one report's messages, and the PDF version they carry."""

    compose: Compose
    pdf_sha256: str | None


# report id -> its ReportMail (cached by the caller as it sees fit).
LoadReport = Callable[[int], ReportMail]


@dataclass(frozen=True)
class WorkerSettings:
    until_idle: bool = False
    poll_seconds: float = 1.0  # the longest sleep between two looks at the outbox


DEFAULT_POLICY, DEFAULT_SENDER = RetryPolicy(), SenderSettings()


def run_worker(
    outbox: OutboxStore,
    load_report: LoadReport,
    mailer: Mailer,
    *,
    stop: threading.Event,
    policy: RetryPolicy = DEFAULT_POLICY,
    settings: SenderSettings = DEFAULT_SENDER,
    worker: WorkerSettings = WorkerSettings(),
    owner: str | None = None,
    rng: random.Random | None = None,
) -> SenderTotals:
    """Send whatever the outbox has due until `stop` (or, `until_idle`, until nothing is left)."""
    owner = owner or sender_id()
    rng = rng or random.Random()
    totals = SenderTotals()
    with mailer:
        while not stop.is_set():
            outbox.reconcile_expired(None, policy.max_attempts)
            outbox.suppress_pending(None)
            batch = outbox.claim(None, owner, settings.batch_size, settings.lease)
            if batch:
                _send_claimed(
                    outbox, batch, load_report, mailer, owner, policy, settings, rng, totals, stop
                )
                continue
            wakeup = outbox.next_wakeup(None)
            if worker.until_idle and _idle(outbox, wakeup is None, settings):
                break
            wait = worker.poll_seconds
            if wakeup is not None:
                wait = min(max((wakeup - utcnow()).total_seconds(), 0.0) + 0.01, wait)
            stop.wait(wait)
    return totals


def _idle(outbox: OutboxStore, nothing_open: bool, settings: SenderSettings) -> bool:
    # Nothing was due just now. Rows being sent may still come back (their sender
    # dies): wait for them. Rows waiting for a retry count only when we wait for retries.
    if nothing_open:
        return True
    return not settings.wait_for_retries and outbox.being_sent() == 0


def _send_claimed(
    outbox: OutboxStore,
    batch: list[ClaimedDelivery],
    load_report: LoadReport,
    mailer: Mailer,
    owner: str,
    policy: RetryPolicy,
    settings: SenderSettings,
    rng: random.Random,
    totals: SenderTotals,
    stop: threading.Event,
) -> None:
    """A claim may span reports (weeks, scopes): each report's rows with its own message."""
    groups = [list(rows) for _, rows in groupby(batch, key=lambda d: d.report_id)]
    try:
        while groups and not stop.is_set():
            rows = groups.pop(0)
            _send_report_rows(
                outbox, rows, load_report, mailer, owner, policy, settings, rng, totals, stop
            )
    finally:
        # Stopping (a signal, a configuration error): rows not started go back at once.
        outbox.release([d.id for rows in groups for d in rows], owner)


def _send_report_rows(
    outbox: OutboxStore,
    rows: list[ClaimedDelivery],
    load_report: LoadReport,
    mailer: Mailer,
    owner: str,
    policy: RetryPolicy,
    settings: SenderSettings,
    rng: random.Random,
    totals: SenderTotals,
    stop: threading.Event,
) -> None:
    report_id = rows[0].report_id
    try:
        mail = load_report(report_id)
    except Exception as error:  # the object store or the report row is unreadable now
        failure = SendError(f"report {report_id} cannot be loaded: {error}", permanent=False)
        for delivery in rows:
            _record_failure(outbox, delivery, owner, policy, rng, totals, failure)
        return
    _send_batch(
        outbox,
        rows,
        mail.compose,
        mailer,
        owner,
        policy,
        settings,
        rng,
        totals,
        mail.pdf_sha256,
        should_stop=stop.is_set,
    )
