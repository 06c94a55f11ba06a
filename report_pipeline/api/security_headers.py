"""Headers every response carries, so no browser sniffs, frames or caches our answers.

`nosniff` everywhere; `no-store` unless a route chose its own Cache-Control
(API answers carry addresses and report facts: no shared or browser cache may
keep them).
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from report_pipeline.api.http_middleware import HttpMiddleware

HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in HEADERS if name not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
