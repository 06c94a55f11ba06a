"""The sender: claims due deliveries, hands each to a mailer, records the outcome.

State machine of one delivery row::

    pending ──claim──► sending ──provider accepted──► sent
                         │  └──refused / error──► failed ──(next_attempt_at)──► sending ...
                         │                          └── attempts used up or 5xx ──► dead
                         ├──configuration error (certificate, login, no TLS)──► pending,
                         │      attempt uncounted; the run stops (MailerConfigError)
                         └──lease expired (sender died)──► failed (due now) | dead

The provider call and the status write cannot be one transaction. The window
between them is kept to one message per sender: each row is recorded `sent` in
its own commit right after the provider accepts it, before the next message
is sent. A sender killed inside that window leaves the row `sending`; once its
lease expires, reconciliation makes it due again and it is sent a second time
with the same Message-ID. That is the only way a duplicate can arise.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from report_pipeline.appdb.deliveries import ClaimedDelivery, OutboxStore
from report_pipeline.appdb.suppressions import suppress_hard_bounce
from report_pipeline.delivery.mailers import Mailer, MailerConfigError, SendError

log = logging.getLogger(__name__)

Compose = Callable[[ClaimedDelivery], EmailMessage]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; `max_attempts` counts every try, the first too."""

    max_attempts: int = 5
    base_delay: float = 30.0
    max_delay: float = 1800.0
    jitter: float = 0.5  # fraction of the delay that is random

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("max_attempts >= 1, base_delay >= 0 and 0 <= jitter <= 1")

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Seconds to wait after the `attempts`-th failed try."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(attempts - 1, 0))
        # Jitter spreads the retries of many rows that failed together
        # (a server outage) instead of hammering it again in lockstep.
        return ceiling * (1 - self.jitter) + rng.uniform(0, ceiling * self.jitter)

    def retry_at(
        self, attempts: int, now: datetime, rng: random.Random, permanent: bool
    ) -> datetime | None:
        """When to try again, or None: the delivery is dead."""
        if permanent or attempts >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.delay(attempts, rng))


@dataclass(frozen=True)
class SenderSettings:
    batch_size: int = 20
    lease_seconds: float = 120.0
    # Keep waiting for retries and for other senders' leases until every row
    # is settled; False returns as soon as nothing is due right now.
    wait_for_retries: bool = True
    poll_seconds: float = 1.0  # upper bound on one wait, so progress by others is seen

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


@dataclass
class SenderTotals:
    sent: int = 0
    failed: int = 0  # attempts that failed and will be retried
    dead: int = 0  # deliveries this sender gave up on
    lost_leases: int = 0  # outcomes recorded after our lease had been taken back
    errors: list[str] = field(default_factory=list)


def sender_id() -> str:
    """Unique per sender process and run: host, pid and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def run_sender(
    outbox: OutboxStore,
    report_id: int,
    compose: Compose,
    mailer: Mailer,
    *,
    policy: RetryPolicy = RetryPolicy(),
    settings: SenderSettings = SenderSettings(),
    owner: str | None = None,
    rng: random.Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
    pdf_sha256: str | None = None,
) -> SenderTotals:
    """Send every due delivery of one report; with `wait_for_retries`, until all are settled.

    `pdf_sha256` (the report version being mailed) is recorded on each row sent.
    """
    owner = owner or sender_id()
    rng = rng or random.Random()
    totals = SenderTotals()
    with mailer:
        while True:
            outbox.reconcile_expired(report_id, policy.max_attempts)
            outbox.suppress_pending(report_id)
            batch = outbox.claim(report_id, owner, settings.batch_size, settings.lease)
            if batch:
                _send_batch(
                    outbox, batch, compose, mailer, owner, policy, settings, rng, totals, pdf_sha256
                )
                continue
            wakeup = outbox.next_wakeup(report_id)
            if wakeup is None or not settings.wait_for_retries:
                return totals
            wait = (wakeup - utcnow()).total_seconds()
            sleep(min(max(wait, 0.0) + 0.01, settings.poll_seconds))


def _send_batch(
    outbox: OutboxStore,
    batch: list[ClaimedDelivery],
    compose: Compose,
    mailer: Mailer,
    owner: str,
    policy: RetryPolicy,
    settings: SenderSettings,
    rng: random.Random,
    totals: SenderTotals,
    pdf_sha256: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Send a claimed batch in order; `should_stop` is asked before each message.

    A sender told to stop (SIGTERM) finishes the message in hand and hands the
    rest of the batch back at once.
    """
    held = {d.id for d in batch}
    renew_after = time.monotonic() + settings.lease_seconds / 2
    # Messages are built one step ahead on a helper thread while this one waits
    # for the provider and the database; sends and commits stay strictly in
    # order, one at a time, so the duplicate window is unchanged.
    composer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compose")
    built = [composer.submit(compose, delivery) for delivery in batch]
    try:
        for delivery, message in zip(batch, built, strict=False):
            if should_stop is not None and should_stop():
                break
            if time.monotonic() >= renew_after:
                # A slow provider must not let our leases lapse: another sender
                # would take the rows back and send them a second time.
                held &= outbox.renew(held, owner, settings.lease)
                renew_after = time.monotonic() + settings.lease_seconds / 2
            if delivery.id not in held:
                continue
            held.discard(delivery.id)
            _send_one(outbox, delivery, message, mailer, owner, policy, rng, totals, pdf_sha256)
    finally:
        composer.shutdown(wait=True, cancel_futures=True)
        # Stopping early (an exception, Ctrl-C): rows not yet tried go back
        # to pending at once instead of waiting for their lease to run out.
        outbox.release(held, owner)


def _send_one(
    outbox: OutboxStore,
    delivery: ClaimedDelivery,
    built: Future[EmailMessage],
    mailer: Mailer,
    owner: str,
    policy: RetryPolicy,
    rng: random.Random,
    totals: SenderTotals,
    pdf_sha256: str | None = None,
) -> None:
    try:
        message = built.result()
    except (ValueError, KeyError, TypeError) as error:  # this row's data can never render
        _record_failure(
            outbox,
            delivery,
            owner,
            policy,
            rng,
            totals,
            SendError(f"message cannot be built: {error}", permanent=True),
        )
        return
    message_id = str(message["Message-ID"])
    try:
        provider_id = mailer.send(message)
    except MailerConfigError:
        # Nobody can be reached until the configuration changes: this row goes
        # back to pending with its attempt uncounted, like the rest of the batch.
        outbox.release([delivery.id], owner)
        raise
    except SendError as error:
        _record_failure(outbox, delivery, owner, policy, rng, totals, error)
        return
    # ---- duplicate window: the provider has the message, the row says `sending`.
    if not outbox.mark_sent(delivery.id, owner, message_id, provider_id, pdf_sha256):
        totals.lost_leases += 1
        log.warning(
            "delivery %s: lease was taken back before `sent` was recorded; another"
            " sender may have sent it too (Message-ID %s)",
            delivery.id,
            message_id,
        )
    totals.sent += 1


def _record_failure(
    outbox: OutboxStore,
    delivery: ClaimedDelivery,
    owner: str,
    policy: RetryPolicy,
    rng: random.Random,
    totals: SenderTotals,
    error: SendError,
) -> None:
    retry_at = policy.retry_at(delivery.attempts, utcnow(), rng, error.permanent)
    status = outbox.mark_failed(
        delivery.id, owner, f"attempt {delivery.attempts}: {error}", retry_at=retry_at
    )
    if error.hard_bounce and status is not None:
        # Like an SES permanent bounce: no later report goes to this address.
        suppress_hard_bounce(outbox.app, delivery.email, str(error), delivery.report_id)
    if status == "dead":
        totals.dead += 1
        totals.errors.append(f"{delivery.email}: {error}")
    elif status == "failed":
        totals.failed += 1
    else:
        totals.lost_leases += 1
