"""The sender's rules: retry policy, lease settings, totals (the loop is send_loop.py).

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

import os
import random
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from report_pipeline.appdb.deliveries import ClaimedDelivery

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
