"""Refuse oversized request bodies before anything else runs: they cost memory unauthenticated.

Outermost of our middlewares: it answers 413 from `Content-Length` without
reading a byte, and counts a streamed (chunked) body as it arrives, so neither
authentication nor JSON parsing ever sees more than the limit, and no audit
row is written for a body we refused to read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from report_pipeline.api.http_middleware import HttpMiddleware


def _content_length(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return value.decode("latin-1")
    return None


async def _refuse(send: Send, status: int, message: str) -> None:
    code = "too_large" if status == 413 else "bad_request"
    body = json.dumps({"error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass(eq=False)
class BodyLimitMiddleware(HttpMiddleware):
    max_bytes: int

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(scope)
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(send, 400, "Content-Length is not a number")
                return
            if int(declared) > self.max_bytes:
                await _refuse(send, 413, f"request bodies are at most {self.max_bytes} bytes")
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Starlette's exception middleware turns this into the JSON 413;
                    # FastAPI re-raises HTTPExceptions from body reading unchanged.
                    raise HTTPException(413, f"request bodies are at most {self.max_bytes} bytes")
            return message

        await self.app(scope, counted, send)
