"""Keyset pages over the document catalog through its one streaming query.

The catalog interface lists documents by `created_at` range, ordered by
(created_at, document_id); a page restarts the stream at the cursor's
timestamp and skips what the previous page already returned. Customer and
content type are filtered as the stream passes, so both catalogs behave alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

from report_pipeline.models import DocumentRecord
from report_pipeline.storage.catalog import DocumentCatalog
from report_pipeline.weeks import week_bounds

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def _key(record: DocumentRecord) -> tuple[str, str]:
    return record.created_at.astimezone(UTC).isoformat(), record.document_id


def documents_page(
    catalog: DocumentCatalog,
    *,
    after: tuple[str, str] | None,
    limit: int,
    week=None,
    customer: str | None = None,
    content_type: str | None = None,
) -> tuple[list[DocumentRecord], tuple[str, str] | None]:
    start, end = week_bounds(week) if week else (EARLIEST, LATEST)
    if after is not None:
        start = max(start, datetime.fromisoformat(after[0]))
    items: list[DocumentRecord] = []
    for record in catalog.iter_created_between(start, end):
        if after is not None and _key(record) <= tuple(after):
            continue
        if customer and record.customer_id != customer:
            continue
        if content_type and record.content_type != content_type:
            continue
        if len(items) == limit:
            return items, _key(items[-1])
        items.append(record)
    return items, None
