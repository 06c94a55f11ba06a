"""/api/documents: the catalog, filtered by week, customer and content type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from report_pipeline.api.deps import Audit, Authorized, Context
from report_pipeline.api.documents import documents_page
from report_pipeline.api.errors import ApiError
from report_pipeline.api.pagination import Paging, decode_cursor, encode_cursor
from report_pipeline.api.routers.common import ERRORS, week_or_422
from report_pipeline.api.schemas import DocumentOut, DocumentPage

router = APIRouter(prefix="/api/documents", tags=["documents"], responses=ERRORS)
Printable = Query(max_length=200, pattern=r"^[^\x00-\x1F\x7F]*$")


def _document_key(key: object) -> tuple[str, str] | None:
    if key is None:
        return None
    if isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key):
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(key[0])
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:  # naive times cannot be compared
            return key[0], key[1]
    raise ApiError(400, "invalid cursor", code="bad_cursor")


@router.get("", response_model=DocumentPage)
def list_documents(
    _: Authorized,
    context: Context,
    audit: Audit,
    paging: Paging,
    week: Annotated[str | None, Query(max_length=32, description="any date of the week")] = None,
    customer: Annotated[str | None, Printable] = None,
    content_type: Annotated[str | None, Printable] = None,
) -> DocumentPage:
    """Oldest first, by creation time."""
    # Object keys carry uploaders' file names (patient data): every listing is audited.
    audit.audited_read = True
    audit.target = f"documents week:{week or '*'} customer:{customer or '*'}"
    monday = week_or_422(week) if week else None
    filters = {"week": monday, "customer": customer, "content_type": content_type}
    after = _document_key(decode_cursor(paging.cursor, "documents", filters))
    items, next_key = documents_page(
        context.catalog,
        after=after,
        limit=paging.limit,
        week=monday,
        customer=customer,
        content_type=content_type,
    )
    return DocumentPage(
        items=[DocumentOut.model_validate(record.to_json()) for record in items],
        next_cursor=encode_cursor(list(next_key) if next_key else None, "documents", filters),
    )
