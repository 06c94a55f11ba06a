"""The send-rate arithmetic every bucket shares (delivery/rate.py), on a fake clock."""

from __future__ import annotations

import random
from email.message import EmailMessage

import pytest

from report_pipeline.delivery.rate import (
    BucketState,
    PacedMailer,
    TokenBucket,
    Unlimited,
    default_burst,
    reserve,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send_times(reservations: list[tuple[float, float]]) -> list[float]:
    """When each reserved message may go: the moment asked plus the wait."""
    return sorted(asked + wait for asked, wait in reservations)


def most_in_any_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] > window + 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_a_full_bucket_gives_its_burst_at_once_then_one_token_per_interval() -> None:
    state, waits = None, []
    for _ in range(8):
        state, wait = reserve(state, 0.0, rate=4.0, burst=4.0)
        waits.append(wait)
    assert waits == pytest.approx([0, 0, 0, 0, 0.25, 0.5, 0.75, 1.0])


def test_waits_are_first_come_first_served_and_the_balance_refills_while_idle() -> None:
    state, first = reserve(None, 0.0, rate=2.0, burst=1.0)
    state, second = reserve(state, 0.0, rate=2.0, burst=1.0)
    state, third = reserve(state, 0.0, rate=2.0, burst=1.0)
    assert (first, second, third) == pytest.approx((0.0, 0.5, 1.0))
    # Long idle: refilled, but never past the burst.
    state, wait = reserve(state, 100.0, rate=2.0, burst=1.0)
    assert wait == 0.0 and state.tokens == pytest.approx(0.0)


def test_a_caller_whose_clock_is_behind_waits_as_if_asking_at_the_last_update() -> None:
    state = BucketState(tokens=-1.0, updated=50.0)
    state, wait = reserve(state, 40.0, rate=1.0, burst=1.0)
    # Tokens are known as of 50; the token after the one due at 51 is due at 52.
    assert wait == pytest.approx(12.0) and state.updated == 50.0
    _, later = reserve(state, 50.0, rate=1.0, burst=1.0)
    assert later == pytest.approx(3.0)  # time was not counted twice


def test_many_senders_together_never_exceed_burst_plus_rate_times_window() -> None:
    """Senders asking at random moments, each sending when told: the aggregate holds."""
    rng, rate, burst = random.Random(7), 50.0, default_burst(50.0)
    state, reservations = None, []
    senders_free_at = [0.0] * 6  # six senders, each asks again once its last send is done
    for _ in range(2000):
        sender = min(range(6), key=senders_free_at.__getitem__)
        asked = senders_free_at[sender] + rng.uniform(0, 0.03)  # compose, SMTP round trip
        state, wait = reserve(state, asked, rate, burst)
        reservations.append((asked, wait))
        senders_free_at[sender] = asked + wait + 0.02
    times = send_times(reservations)
    assert most_in_any_window(times, 1.0) <= burst + rate * 1.0 + 1
    # Over the whole run: within the burst of rate * duration.
    assert len(times) <= burst + rate * (times[-1] - times[0]) + 1
    aggregate = len(times) / (times[-1] - times[0])
    assert aggregate <= 1.05 * rate


def test_token_bucket_sleeps_the_reserved_wait() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, capacity=1, clock=clock, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(4)]
    assert waits == pytest.approx([0, 0.1, 0.1, 0.1])
    assert clock.now == pytest.approx(1000.3)


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)
    with pytest.raises(ValueError):
        reserve(None, 0.0, rate=-1.0, burst=1.0)


class RecordingMailer:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __enter__(self):
        self.log.append("open")
        return self

    def __exit__(self, *exc) -> None:
        self.log.append("close")

    def send(self, message: EmailMessage) -> str:
        self.log.append("send")
        return "id-1"


class RecordingRate:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def acquire(self) -> float:
        self.log.append("acquire")
        return 0.0


def test_paced_mailer_asks_the_rate_before_every_hand_over() -> None:
    log: list[str] = []
    with PacedMailer(RecordingMailer(log), RecordingRate(log)) as mailer:
        assert mailer.send(EmailMessage()) == "id-1"
        mailer.send(EmailMessage())
    assert log == ["open", "acquire", "send", "acquire", "send", "close"]


def test_unlimited_never_waits() -> None:
    assert Unlimited().acquire() == 0.0
