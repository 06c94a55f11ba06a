"""The one claim–send–record loop of the outbox.

Every sender (the email step for one report, `deliveries work` for the whole
outbox) runs `run_send_loop`: reconcile lapsed leases, suppress, claim a batch,
send it in order, record each outcome; when nothing is due, its `StopRule`
decides whether to wait or to end. Callers differ only by that rule and by
the scope (one report id, or None for every report).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from itertools import groupby

from report_pipeline.appdb.deliveries import ClaimedDelivery, Handover, OutboxStore
from report_pipeline.appdb.suppressions import suppress_hard_bounce
from report_pipeline.delivery.mailers import Mailer, MailerConfigError, SendError
from report_pipeline.delivery.outbox import (
    Compose,
    RetryPolicy,
    SenderSettings,
    SenderTotals,
    sender_id,
    utcnow,
)

log = logging.getLogger(__name__)

DEFAULT_POLICY, DEFAULT_SENDER = RetryPolicy(), SenderSettings()


@dataclass(frozen=True)
class ReportMail:
    """How to build one report's messages, and the PDF version they carry."""

    compose: Compose
    pdf_sha256: str | None


# report id -> its ReportMail (cached by the caller as it sees fit).
LoadReport = Callable[[int], ReportMail]


@dataclass(frozen=True)
class SendJob:
    """What one sender needs for every claim, send and record."""

    outbox: OutboxStore
    mailer: Mailer | None  # None only for a watch-only rule, which never sends
    owner: str
    policy: RetryPolicy
    settings: SenderSettings
    rng: random.Random


class StopRule:
    """When a sender ends. The base rule never stops early and ends once idle."""

    claims = True  # False: watch only, never reconcile, claim or send

    def stopped(self) -> bool:
        """Asked before each claim and each message: True hands the rest back and ends."""
        return False

    def wait_or_end(self, job: SendJob, scope: int | None, wakeup: datetime | None) -> bool:
        """Nothing was due: wait (and return False) or return True to end."""
        return True


@dataclass
class UntilSettled(StopRule):
    """One report's sender: ends when its rows are settled (or nothing is due, without retries)."""

    sleep: Callable[[float], None] = time.sleep

    def wait_or_end(self, job: SendJob, scope: int | None, wakeup: datetime | None) -> bool:
        if wakeup is None or not job.settings.wait_for_retries:
            return True
        wait = (wakeup - utcnow()).total_seconds()
        self.sleep(min(max(wait, 0.0) + 0.01, job.settings.poll_seconds))
        return False


@dataclass
class UntilSignalled(StopRule):
    """A long-lived worker: ends when `stop` is set or, `until_idle`, when nothing is left."""

    stop: threading.Event
    until_idle: bool = False
    poll_seconds: float = 1.0  # the longest sleep between two looks at the outbox

    def stopped(self) -> bool:
        return self.stop.is_set()

    def wait_or_end(self, job: SendJob, scope: int | None, wakeup: datetime | None) -> bool:
        if self.until_idle and _idle(job, scope, wakeup is None):
            return True
        wait = self.poll_seconds
        if wakeup is not None:
            wait = min(max((wakeup - utcnow()).total_seconds(), 0.0) + 0.01, wait)
        self.stop.wait(wait)
        return False


def _idle(job: SendJob, scope: int | None, nothing_open: bool) -> bool:
    # Nothing was due just now. Rows being sent may still come back (their sender
    # dies): wait for them. Rows waiting for a retry count only when we wait for retries.
    if nothing_open:
        return True
    return not job.settings.wait_for_retries and job.outbox.being_sent() == 0


def new_job(
    outbox: OutboxStore,
    mailer: Mailer | None,
    policy: RetryPolicy,
    settings: SenderSettings,
    owner: str | None = None,
    rng: random.Random | None = None,
) -> SendJob:
    return SendJob(outbox, mailer, owner or sender_id(), policy, settings, rng or random.Random())


def run_send_loop(
    job: SendJob, scope: int | None, load_report: LoadReport, rule: StopRule
) -> SenderTotals:
    """Claim, send and record `scope`'s due deliveries (None: every report) until `rule` ends it."""
    totals = SenderTotals()
    outbox, settings = job.outbox, job.settings
    with job.mailer if rule.claims and job.mailer is not None else nullcontext():
        while not rule.stopped():
            if rule.claims:
                outbox.reconcile_expired(scope, job.policy.max_attempts)
                outbox.suppress_pending(scope)
                batch = outbox.claim(scope, job.owner, settings.batch_size, settings.lease)
                if batch:
                    _send_claimed(job, batch, load_report, rule, totals)
                    continue
            wakeup = outbox.next_wakeup(scope) if rule.claims else None
            if rule.wait_or_end(job, scope, wakeup):
                break
    return totals


def _send_claimed(
    job: SendJob,
    batch: list[ClaimedDelivery],
    load_report: LoadReport,
    rule: StopRule,
    totals: SenderTotals,
) -> None:
    """A claim may span reports (weeks, scopes): each report's rows with its own message."""
    groups = [list(rows) for _, rows in groupby(batch, key=lambda d: d.report_id)]
    try:
        while groups and not rule.stopped():
            rows = groups.pop(0)
            _send_report_rows(job, rows, load_report, rule, totals)
    finally:
        # Stopping (a signal, a configuration error): rows not started go back at once.
        job.outbox.release([d.id for rows in groups for d in rows], job.owner)


def _send_report_rows(
    job: SendJob,
    rows: list[ClaimedDelivery],
    load_report: LoadReport,
    rule: StopRule,
    totals: SenderTotals,
) -> None:
    report_id = rows[0].report_id
    try:
        mail = load_report(report_id)
    except Exception as error:  # the object store or the report row is unreadable now
        failure = SendError(f"report {report_id} cannot be loaded: {error}", permanent=False)
        for delivery in rows:
            record_failure(job, delivery, totals, failure)
        return
    _send_batch(job, rows, mail, rule, totals)


def _send_batch(
    job: SendJob,
    batch: list[ClaimedDelivery],
    mail: ReportMail,
    rule: StopRule,
    totals: SenderTotals,
) -> None:
    """Send a claimed batch in order; the rule is asked before each message.

    A sender told to stop (SIGTERM) finishes the message in hand and hands the
    rest of the batch back at once.
    """
    outbox, settings = job.outbox, job.settings
    held = {d.id for d in batch}
    renew_after = time.monotonic() + settings.lease_seconds / 2
    # Messages are built one step ahead on a helper thread while this one waits
    # for the provider and the database; sends and commits stay strictly in
    # order, one at a time, so the duplicate window is unchanged.
    composer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compose")
    built = [composer.submit(mail.compose, delivery) for delivery in batch]
    try:
        for delivery, message in zip(batch, built, strict=False):
            if rule.stopped():
                break
            if time.monotonic() >= renew_after:
                # A slow provider must not let our leases lapse: another sender
                # would take the rows back and send them a second time.
                held &= outbox.renew(held, job.owner, settings.lease)
                renew_after = time.monotonic() + settings.lease_seconds / 2
            if delivery.id not in held:
                continue
            held.discard(delivery.id)
            _send_one(job, delivery, message, mail.pdf_sha256, totals)
    finally:
        composer.shutdown(wait=True, cancel_futures=True)
        # Stopping early (an exception, Ctrl-C): rows not yet tried go back
        # to pending at once instead of waiting for their lease to run out.
        outbox.release(held, job.owner)


def _send_one(
    job: SendJob,
    delivery: ClaimedDelivery,
    built: Future[EmailMessage],
    pdf_sha256: str | None,
    totals: SenderTotals,
) -> None:
    try:
        message = built.result()
    except (ValueError, KeyError, TypeError) as error:  # this row's data can never render
        failure = SendError(f"message cannot be built: {error}", permanent=True)
        record_failure(job, delivery, totals, failure)
        return
    message_id = str(message["Message-ID"])
    mailer = job.mailer
    if mailer is None:  # a watch-only rule never claims, so never gets here
        raise MailerConfigError("a watch-only sender has no mailer")
    try:
        provider_id = mailer.send(message)
    except MailerConfigError:
        # Nobody can be reached until the configuration changes: this row goes
        # back to pending with its attempt uncounted, like the rest of the batch.
        job.outbox.release([delivery.id], job.owner)
        raise
    except SendError as error:
        record_failure(job, delivery, totals, error)
        return
    # ---- duplicate window: the provider has the message, the row says `sending`.
    handover = Handover(message_id, provider_id, pdf_sha256)
    if not job.outbox.mark_sent(delivery.id, job.owner, handover):
        totals.lost_leases += 1
        log.warning(
            "delivery %s: lease was taken back before `sent` was recorded; another"
            " sender may have sent it too (Message-ID %s)",
            delivery.id,
            message_id,
        )
    totals.sent += 1


def record_failure(
    job: SendJob, delivery: ClaimedDelivery, totals: SenderTotals, error: SendError
) -> None:
    """Record a failed attempt: a retry time, or dead; a hard bounce suppresses the address."""
    retry_at = job.policy.retry_at(delivery.attempts, utcnow(), job.rng, error.permanent)
    status = job.outbox.mark_failed(
        delivery.id, job.owner, f"attempt {delivery.attempts}: {error}", retry_at=retry_at
    )
    if error.hard_bounce and status is not None:
        # Like an SES permanent bounce: no later report goes to this address.
        suppress_hard_bounce(job.outbox.app, delivery.email, str(error), delivery.report_id)
    if status == "dead":
        totals.dead += 1
        totals.errors.append(f"{delivery.email}: {error}")
    elif status == "failed":
        totals.failed += 1
    else:
        totals.lost_leases += 1


def run_sender(
    outbox: OutboxStore,
    report_id: int,
    compose: Compose,
    mailer: Mailer,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    settings: SenderSettings = DEFAULT_SENDER,
    owner: str | None = None,
    pdf_sha256: str | None = None,
) -> SenderTotals:
    """Send every due delivery of one report; with `wait_for_retries`, until all are settled.

    `pdf_sha256` (the report version being mailed) is recorded on each row sent.
    """
    job = new_job(outbox, mailer, policy, settings, owner)
    mail = ReportMail(compose, pdf_sha256)
    return run_send_loop(job, report_id, lambda _report_id: mail, UntilSettled())
