"""/api/audit: the audit log, newest first (read-only: there is no way to change it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from report_pipeline.api.deps import Authorized, Context
from report_pipeline.api.pagination import Paging, decode_cursor, encode_cursor, int_key
from report_pipeline.api.routers.common import ERRORS
from report_pipeline.api.schemas import AuditOut, AuditPage
from report_pipeline.appdb.audit import audit_page

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=ERRORS)
Printable = Query(max_length=320, pattern=r"^[^\x00-\x1F\x7F]*$")


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC)


@router.get("", response_model=AuditPage)
def list_audit(
    _: Authorized,
    context: Context,
    paging: Paging,
    actor: Annotated[str | None, Printable] = None,
    action: Annotated[str | None, Printable] = None,
    since: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
) -> AuditPage:
    filters = {"actor": actor, "action": action, "since": _utc(since), "until": _utc(until)}
    after = int_key(decode_cursor(paging.cursor, "audit", filters))
    page = audit_page(
        context.store,
        after=after,
        limit=paging.limit,
        actor=actor,
        action=action,
        since=_utc(since),
        until=_utc(until),
    )
    return AuditPage(
        items=[AuditOut.model_validate(row) for row in page.items],
        next_cursor=encode_cursor(page.next_key, "audit", filters),
    )
