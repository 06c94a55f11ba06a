"""The shared send rate in Redis: one hash per bucket, changed by one Lua script.

The script is `delivery.rate.reserve` in Lua, run atomically by Redis with
Redis's own clock (`TIME`), so senders on machines whose clocks disagree still
share one rate. It answers how long the caller must wait; the caller sleeps
outside Redis. Why not the `limits` package (already used by the API)? Its
strategies answer "allowed or not" and leave waiting to polling, and a fixed
window lets twice the rate through across a window boundary; a reservation
bucket waits exactly as long as needed, first come first served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from report_pipeline.delivery.rate import (
    SendRateConfig,
    SendRateFactory,
    SharedBucket,
    default_burst,
)
from report_pipeline.health import Health, healthy, scrub, unhealthy

if TYPE_CHECKING:
    from report_pipeline.settings import Settings

KEY_PREFIX = "report-pipeline:send-rate:"

# KEYS[1] bucket hash; ARGV rate (tokens/s), burst. Returns the wait in seconds (string:
# Lua numbers become integers on the way out). The key expires once the bucket would
# be full again anyway, so an idle bucket leaves nothing behind.
_RESERVE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = burst
local moment = now
if saved[1] then
  local updated = tonumber(saved[2])
  moment = math.max(now, updated)
  tokens = math.min(burst, tonumber(saved[1]) + (moment - updated) * rate)
end
tokens = tokens - 1
local wait = moment - now
if tokens < -1e-9 then wait = wait - tokens / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(moment))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 60000)
return tostring(wait)
"""


class RedisSendRate(SharedBucket):
    """`rate` messages per second for every sender using bucket `name` on this Redis."""

    def __init__(self, client: Any, name: str, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.client, self.key = client, KEY_PREFIX + name
        self.rate, self.burst = float(rate), float(burst or default_burst(rate))
        self._script = client.register_script(_RESERVE)
        super().__init__(self._reserve)

    def _reserve(self) -> float:
        return float(self._script(keys=[self.key], args=[repr(self.rate), repr(self.burst)]))


def redis_client(url: str) -> Any:
    """A client for REPORT_PIPELINE_REDIS_URL (redis://, rediss:// for TLS)."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)


def redis_send_rates(config: SendRateConfig) -> SendRateFactory:
    client = redis_client(config.redis_url or "")
    return lambda name, rate: RedisSendRate(client, name, rate)


def check_redis_send_rate(settings: Settings) -> Health:
    """The bucket every sender takes its tokens from answers (backends.SEND_RATES)."""
    import redis

    service = "send rate (redis)"
    try:
        redis_client(settings.redis_url or "").ping()
    except (redis.RedisError, ValueError) as error:
        return unhealthy(
            service,
            f"unreachable, so no email can be sent: {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_REDIS_URL (redis://[:password@]host:port/db), or unset"
            " it to share the send rate through the app database",
        )
    return healthy(service, "answers; every sender takes its send rate from one bucket there")
