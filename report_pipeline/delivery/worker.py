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

import threading
from dataclasses import dataclass

from report_pipeline.appdb.deliveries import OutboxStore
from report_pipeline.delivery.mailers import Mailer
from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings, SenderTotals
from report_pipeline.delivery.send_loop import (
    DEFAULT_POLICY,
    DEFAULT_SENDER,
    LoadReport,
    ReportMail,
    UntilSignalled,
    new_job,
    run_send_loop,
)

__all__ = ["LoadReport", "ReportMail", "WorkerSettings", "run_worker"]


@dataclass(frozen=True)
class WorkerSettings:
    until_idle: bool = False
    poll_seconds: float = 1.0  # the longest sleep between two looks at the outbox


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
) -> SenderTotals:
    """Send whatever the outbox has due until `stop` (or, `until_idle`, until nothing is left)."""
    job = new_job(outbox, mailer, policy, settings, owner)
    rule = UntilSignalled(stop, worker.until_idle, worker.poll_seconds)
    return run_send_loop(job, None, load_report, rule)
