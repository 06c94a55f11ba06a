"""A sender process for the shared send-rate tests: takes N tokens, prints when each may go.

    python -m report_pipeline_tests.delivery.rate_child redis|database URL NAME RATE N

Prints one JSON list of [asked, wait] per token: the moment (time.time()) the
token was asked for and the wait the shared bucket answered; the token's send
time is their sum. It sleeps each wait, as a sender does.
"""

from __future__ import annotations

import json
import sys
import time

from report_pipeline.appdb.send_rate import DatabaseSendRate
from report_pipeline.appdb.store import AppStore
from report_pipeline.storage.redis_send_rate import RedisSendRate, redis_client


def main(kind: str, url: str, name: str, rate: float, count: int) -> None:
    if kind == "redis":
        limiter = RedisSendRate(redis_client(url), name, rate)
    else:
        limiter = DatabaseSendRate(AppStore(url), name, rate)
    taken = []
    for _ in range(count):
        asked = time.time()
        taken.append([asked, limiter.acquire()])
    print(json.dumps(taken))


if __name__ == "__main__":
    kind, url, name, rate, count = sys.argv[1:]
    main(kind, url, name, float(rate), int(count))
