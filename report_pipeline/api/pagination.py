"""Opaque keyset cursors: `?limit=&cursor=` in, `{items, next_cursor}` out.

A cursor carries the last key seen and a fingerprint of the listing (endpoint
and filters), and is signed (HMAC-SHA256): an altered cursor, or one replayed
against another listing, is a 400, never another page or a 500. The key is
REPORT_PIPELINE_API_CURSOR_SECRET (shared by all replicas) or, unset, a random
key per process (cursors then do not survive a restart).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from report_pipeline.api.errors import ApiError

MAX_LIMIT = 500
MAX_KEY = 2**63 - 1  # the largest id a BIGINT column holds

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="next_cursor of the previous page")
]


@dataclass(frozen=True)
class PageRequest:
    """`?limit=&cursor=`, the two query parameters every listing takes."""

    limit: int
    cursor: str | None


def _page_request(limit: Limit = 50, cursor: Cursor = None) -> PageRequest:
    return PageRequest(limit, cursor)


Paging = Annotated[PageRequest, Depends(_page_request)]

_key = secrets.token_bytes(32)


def configure_cursor_secret(secret: str | None) -> None:
    """Use `secret` for signing cursors (all replicas must share it)."""
    global _key
    if secret:
        _key = hashlib.sha256(b"report-pipeline-cursor\0" + secret.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scope(listing: str, filters: dict[str, Any]) -> str:
    text = json.dumps([listing, filters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _mac(payload: str) -> str:
    return _b64(hmac.new(_key, payload.encode(), hashlib.sha256).digest()[:18])


def _bad(message: str = "invalid cursor: pass next_cursor from the previous page unchanged"):
    return ApiError(400, message, code="bad_cursor")


def encode_cursor(key: Any, listing: str, filters: dict[str, Any]) -> str | None:
    if key is None:
        return None
    raw = json.dumps({"k": key, "s": _scope(listing, filters)}, separators=(",", ":"))
    payload = _b64(raw.encode())
    return f"{payload}.{_mac(payload)}"


def decode_cursor(cursor: str | None, listing: str, filters: dict[str, Any]) -> Any:
    """The key in `cursor` (None for the first page); ApiError 400 when it is not ours."""
    if cursor is None:
        return None
    payload, _, mac = cursor.partition(".")
    if not mac or not hmac.compare_digest(mac.encode(), _mac(payload).encode()):
        raise _bad()
    try:
        data = json.loads(_unb64(payload))
        key = data["k"]
        scope = data["s"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise _bad() from None
    if scope != _scope(listing, filters):
        raise _bad("invalid cursor: it belongs to a listing with other filters")
    return key


def int_key(key: Any) -> int | None:
    if key is None:
        return None
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= MAX_KEY:
        raise _bad()
    return key
