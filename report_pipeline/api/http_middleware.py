"""The base of the API's pure ASGI middlewares: they act on HTTP requests only.

Lifespan and websocket messages pass through untouched, so a middleware never
audits, counts or limits the server's own start and stop.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(eq=False)
class HttpMiddleware:
    """Subclasses are dataclasses too: their fields are `add_middleware`'s keywords."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request; subclasses call `self.app` to pass it on."""
        raise NotImplementedError
