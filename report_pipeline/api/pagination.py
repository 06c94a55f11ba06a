"""Opaque keyset cursors: `?limit=&cursor=` in, `{items, next_cursor}` out.

A cursor carries the last key seen and a fingerprint of the listing (endpoint
and filters): replaying it against another listing is a 400, not a silently
wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Annotated, Any

from fastapi import Query

from report_pipeline.api.errors import ApiError

MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")]
Cursor = Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")]


def _scope(listing: str, filters: dict[str, Any]) -> str:
    text = json.dumps([listing, filters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(key: Any, listing: str, filters: dict[str, Any]) -> str | None:
    if key is None:
        return None
    raw = json.dumps({"k": key, "s": _scope(listing, filters)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, listing: str, filters: dict[str, Any]) -> Any:
    """The key in `cursor` (None for the first page); ApiError 400 when it is not ours."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        key = data["k"]
        scope = data["s"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise ApiError(400, "invalid cursor: pass next_cursor from the previous page unchanged",
                       code="bad_cursor") from None
    if scope != _scope(listing, filters):
        raise ApiError(400, "invalid cursor: it belongs to a listing with other filters",
                       code="bad_cursor")
    return key


def int_key(key: Any) -> int | None:
    if key is None:
        return None
    if isinstance(key, bool) or not isinstance(key, int):
        raise ApiError(400, "invalid cursor", code="bad_cursor")
    return key
