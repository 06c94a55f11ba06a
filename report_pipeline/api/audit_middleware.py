"""Request ids and the audit trail, around every request.

Every mutating request (POST/PUT/PATCH/DELETE), every denied one (401/403)
and every read of patient data (the handler sets `audited_read`) leaves one
audit row. Handlers and the auth dependency fill in the actor,
role and target on the request's `AuditEvent`; this middleware fills in the
rest once the response status is known.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass

import anyio.to_thread
from starlette.types import Message, Receive, Scope, Send

from report_pipeline.api.http_middleware import HttpMiddleware
from report_pipeline.appdb.audit import AuditEvent, record_audit
from report_pipeline.appdb.store import AppStore

log = logging.getLogger(__name__)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def outcome_of(status: int) -> str:
    if status in (401, 403):
        return "denied"
    if status < 400:
        return "success"
    if status == 409:
        return "conflict"
    if status == 404:
        return "not_found"
    return "rejected" if status < 500 else "error"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(text):
                return text  # a caller's id lets them correlate; anything odd is replaced
    return uuid.uuid4().hex


@dataclass(eq=False)
class AuditMiddleware(HttpMiddleware):
    store: AppStore

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _request_id(scope)
        client = scope.get("client")
        event = AuditEvent(
            action=f"{scope['method']} {scope['path']}",
            request_id=request_id,
            client_address=client[0] if client else None,
        )
        state = scope.setdefault("state", {})
        state["request_id"], state["audit"] = request_id, event
        written = False

        async def audit(status: int) -> None:
            nonlocal written
            if written or not (
                scope["method"] in MUTATING or status in (401, 403) or event.audited_read
            ):
                return
            written = True
            if status == 413:
                return  # a body we refused to read changed nothing; no row an attacker can farm
            event.status_code, event.outcome = status, outcome_of(status)
            route = scope.get("route")
            if route is not None and getattr(route, "path", None):
                # The route template, not the raw path: an address in the URL
                # belongs in `target`, where the handler puts it.
                event.action = f"{scope['method']} {route.path}"
            event.target = event.target or scope["path"]
            await anyio.to_thread.run_sync(self._write, event)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Written before the client sees the status: no caller is told
                # "done" about a change the audit log does not show.
                await audit(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            await audit(500)  # no response started: the request failed inside

    def _write(self, event: AuditEvent) -> None:
        try:
            record_audit(self.store, event)
        except Exception:
            log.exception("could not write audit row for request %s", event.request_id)
