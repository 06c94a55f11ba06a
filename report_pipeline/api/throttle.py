"""Per-client limits on denied requests: guessing credentials or tokens gets slow.

Every 401 or 403 (bad credentials, a forbidden route, an invalid unsubscribe
token) counts against the client's budget (REPORT_PIPELINE_API_RATE_LIMIT,
default 20/minute, moving window). A client over budget gets 429 with
Retry-After for every request, before authentication, the database or the
audit log; the audit log gets one row per client and window saying how many
denials were cut off, instead of one row per attempt.

Counters live in this process (the `limits` library's memory storage) or, with
REPORT_PIPELINE_API_RATE_LIMIT_STORAGE=redis://..., in Redis shared by all
replicas.
"""

from __future__ import annotations

import logging
import math
import time
import uuid

import anyio.to_thread
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from report_pipeline.appdb.audit import AuditEvent, record_audit
from report_pipeline.appdb.store import AppStore

log = logging.getLogger(__name__)
DENIED = frozenset({401, 403})
KEY_SPACE = "report-pipeline-denials"


class Throttle:
    def __init__(self, rate: str, storage_uri: str | None) -> None:
        self.limit = parse(rate)
        self.storage = storage_from_string(storage_uri) if storage_uri else MemoryStorage()
        self.inline = isinstance(self.storage, MemoryStorage)  # no I/O: no thread needed
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._reported: dict[str, float] = {}  # client -> end of the window already audited

    async def _call(self, function, *args):
        if self.inline:
            return function(*args)
        return await anyio.to_thread.run_sync(function, *args)

    async def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when within budget."""
        if await self._call(self.limiter.test, self.limit, KEY_SPACE, client):
            return None
        reset, _ = await self._call(self.limiter.get_window_stats, self.limit, KEY_SPACE, client)
        return max(1, math.ceil(reset - time.time()))

    async def denied(self, client: str) -> None:
        await self._call(self.limiter.hit, self.limit, KEY_SPACE, client)

    def first_refusal(self, client: str, retry_after: int) -> bool:
        """True once per client and window: that refusal is audited, later ones are not."""
        now = time.monotonic()
        if self._reported.get(client, 0.0) > now:
            return False
        if len(self._reported) > 10_000:  # forget expired entries; bounded memory
            self._reported = {k: v for k, v in self._reported.items() if v > now}
        self._reported[client] = now + retry_after
        return True


def _too_many(retry_after: int) -> tuple[Message, Message]:
    body = (
        b'{"error":"too_many_requests","message":"too many denied requests from this'
        b" client; retry after " + str(retry_after).encode() + b' seconds"}'
    )
    return (
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        },
        {"type": "http.response.body", "body": body},
    )


class ThrottleMiddleware:
    def __init__(self, app: ASGIApp, throttle: Throttle, store: AppStore) -> None:
        self.app = app
        self.throttle = throttle
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("client"):
            await self.app(scope, receive, send)
            return
        client = scope["client"][0]
        retry_after = await self.throttle.retry_after(client)
        if retry_after is not None:
            if self.throttle.first_refusal(client, retry_after):
                await anyio.to_thread.run_sync(self._audit, scope, client, retry_after)
            for message in _too_many(retry_after):
                await send(message)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in DENIED:
                await self.throttle.denied(client)
            await send(message)

        await self.app(scope, receive, counting)

    def _audit(self, scope: Scope, client: str, retry_after: int) -> None:
        limit = self.throttle.limit
        try:
            record_audit(
                self.store,
                AuditEvent(
                    action="throttled",
                    request_id=uuid.uuid4().hex,
                    actor="anonymous",
                    target=f"client:{client} over {limit.amount} denials per"
                    f" {limit.multiples} {limit.GRANULARITY.name}; further requests refused"
                    f" for {retry_after}s without audit rows (first: {scope['method']}"
                    f" {scope['path'][:100]})",
                    outcome="throttled",
                    status_code=429,
                    client_address=client,
                ),
            )
        except Exception:
            log.exception("could not write the throttling audit row for %s", client)
