"""The send rate in Redis is one rate for every sender: two limiters, then two processes."""

from __future__ import annotations

import time
import uuid

from report_pipeline.delivery.rate import default_burst
from report_pipeline.storage.redis_send_rate import KEY_PREFIX, RedisSendRate, redis_client
from report_pipeline_tests.delivery.shared_rate import assert_within_rate, take_in_processes


def test_two_limiters_on_one_bucket_share_its_tokens(redis_url: str) -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    first = RedisSendRate(redis_client(redis_url), name, rate=1, burst=2)
    second = RedisSendRate(redis_client(redis_url), name, rate=1, burst=2)
    # The burst is two tokens for both together: the third asker waits for the refill.
    assert first._reserve() == 0.0
    assert second._reserve() == 0.0
    # Both reserve from one balance: each further token waits for the refill
    # (less whatever time passed between the calls on a busy machine).
    assert 0 < first._reserve() <= 1.0
    assert 0 < second._reserve() <= 2.0


def test_another_bucket_name_is_another_rate(redis_url: str) -> None:
    client = redis_client(redis_url)
    smtp = RedisSendRate(client, f"smtp-{uuid.uuid4().hex[:8]}", rate=1, burst=1)
    ses = RedisSendRate(client, f"ses-{uuid.uuid4().hex[:8]}", rate=1, burst=1)
    assert smtp._reserve() == 0.0 and ses._reserve() == 0.0


def test_an_idle_bucket_leaves_no_key_behind_for_long(redis_url: str) -> None:
    client = redis_client(redis_url)
    name = f"test-{uuid.uuid4().hex[:8]}"
    RedisSendRate(client, name, rate=10).acquire()
    ttl = client.pttl(KEY_PREFIX + name)
    assert 0 < ttl <= 61_000


def test_two_sender_processes_together_stay_within_the_rate(redis_url: str) -> None:
    rate, name = 40.0, f"test-{uuid.uuid4().hex[:8]}"
    started = time.time()
    times = take_in_processes("redis", redis_url, name, rate, each=150, processes=2)
    assert len(times) == 300 and times[0] >= started
    assert_within_rate(times, rate, default_burst(rate))
