"""One send rate for every sender: a token bucket, in this process or shared.

A provider allows so many messages per second (SES `MaxSendRate`, an SMTP
relay's limit) for the whole account, however many senders run. Each sender
asks a `SendRate` for permission before every hand-over; where the bucket's
state lives decides who shares it:

- `TokenBucket`: this process only (one sender, or no shared store).
- `appdb.send_rate.DatabaseSendRate`: a row of the app database, updated under
  a row lock: every sender that reaches the database shares it.
- `storage.redis_send_rate.RedisSendRate`: a Redis hash changed by one Lua
  script: the same, at a fraction of the cost per message.

All three run the same arithmetic, `reserve`: the caller takes a token now even
when the bucket is empty (the balance goes negative) and is told how long to
wait until that token exists. Waits are therefore first come, first served,
nobody polls, and the tokens handed out over any period T are at most
`burst + rate * T`. A sender that dies while waiting wastes its slot, which
only makes the aggregate slower, never faster.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from report_pipeline.delivery.mailers import BatchMailer, ExcInfo, Mailer

if TYPE_CHECKING:
    from report_pipeline.health import Health
    from report_pipeline.settings import Settings

_EPSILON = 1e-9  # float refill may land a hair below a whole token


class SendRate(Protocol):
    """Permission to send one message; blocks until the shared rate allows it."""

    def acquire(self) -> float:
        """Take one token, sleeping until it is due; returns the seconds waited."""
        ...


@dataclass(frozen=True)
class BucketState:
    """What a shared store keeps per bucket: the balance and when it was computed."""

    tokens: float
    updated: float  # seconds on the store's clock


def reserve(
    state: BucketState | None, now: float, rate: float, burst: float
) -> tuple[BucketState, float]:
    """Take one token at `now`: the new state and the seconds to wait before sending.

    A missing state is a full bucket. The balance refills at `rate` up to
    `burst`, then one token is taken even if that makes it negative; the wait
    is the time the refill needs to bring it back to zero.
    """
    if rate <= 0 or burst < 1:
        raise ValueError("rate must be positive and burst at least 1")
    if state is None:
        tokens, moment = burst, now
    else:
        # The balance is known as of `updated`; a caller whose clock is behind it
        # (another machine, a reordered call) is treated as asking at `updated`,
        # so time is never counted twice and the wait covers the difference.
        moment = max(now, state.updated)
        tokens = min(burst, state.tokens + (moment - state.updated) * rate)
    tokens -= 1
    wait = moment - now + (0.0 if tokens >= -_EPSILON else -tokens / rate)
    return BucketState(tokens, moment), wait


def default_burst(rate: float) -> float:
    """One second's worth of messages (SES counts its rate per second), at least one."""
    return max(1.0, float(rate))


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up, in this process only."""

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else default_burst(rate))
        self._clock, self._sleep = clock, sleep
        self._state: BucketState | None = None
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            self._state, wait = reserve(self._state, self._clock(), self.rate, self.capacity)
        if wait > 0:
            self._sleep(wait)
        return wait


class Unlimited:
    """No limit (the outbox directory, an SMTP relay without a configured rate)."""

    def acquire(self) -> float:
        return 0.0


class SharedBucket:
    """A `SendRate` over a store's atomic `reserve` (Redis, the app database)."""

    def __init__(
        self,
        take: Callable[[], float],
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._take, self._sleep = take, sleep

    def acquire(self) -> float:
        wait = self._take()
        if wait > 0:
            self._sleep(wait)
        return wait


# Builds the limiter of one provider: (bucket name, messages per second) -> SendRate.
SendRateFactory = Callable[[str, float], SendRate]


@dataclass(frozen=True)
class SendRateConfig:
    """Where the bucket every sender shares lives (`backends.SEND_RATES`)."""

    redis_url: str | None = None
    app: object | None = None  # an AppStore: its database holds the bucket

    @property
    def kind(self) -> str:
        if self.redis_url:
            return "redis"
        return "database" if self.app is not None else "process"


def process_send_rates(config: SendRateConfig) -> SendRateFactory:
    """No shared store configured: a bucket in this process."""
    return lambda name, rate: TokenBucket(rate)


class PacedMailer(BatchMailer):
    """A mailer that asks `rate` before each hand-over (SMTP with a configured limit)."""

    def __init__(self, inner: Mailer, rate: SendRate) -> None:
        self.inner, self.rate = inner, rate

    def __repr__(self) -> str:
        return f"PacedMailer({self.inner!r})"

    def _begin_batch(self) -> None:
        self.inner.__enter__()

    def _end_batch(self, exc_info: ExcInfo) -> None:
        self.inner.__exit__(*exc_info)

    def send(self, message: EmailMessage) -> str | None:
        self.rate.acquire()
        return self.inner.send(message)


def check_process_send_rate(settings: Settings) -> Health | None:
    """Nothing to reach: the bucket lives in this process (backends.SEND_RATES)."""
    return None
