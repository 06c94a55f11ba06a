"""The week's manifest: which documents arrived, and the hash of their bytes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline.inspection import inspect_object
from report_pipeline.pipeline.keys import manifest_key
from report_pipeline.storage.catalog import DocumentCatalog, InvalidRecord
from report_pipeline.storage.object_store import InvalidKey, ObjectNotFound, ObjectStore
from report_pipeline.weeks import week_bounds


def iter_manifest_entries(
    catalog: DocumentCatalog, store: ObjectStore, week: date, *, page_limit: int = DEFAULT_MAX_PAGES
) -> Iterator[ManifestEntry]:
    """Stream the week's records; every record becomes exactly one entry, never a crash.

    An unreadable object, an invalid record or a second record reusing an id
    is listed with its error (a dead letter), not dropped. Only an exact repeat
    of a record (same id, same object) is the same document and listed once.
    """
    first_location: dict[str, str] = {}
    copies: Counter[str] = Counter()
    for item in catalog.iter_items_between(*week_bounds(week)):
        if isinstance(item, InvalidRecord):
            yield ManifestEntry(item.record, None, error=item.reason, error_stage="catalog")
            continue
        first = first_location.setdefault(item.document_id, item.file_location)
        if item.document_id not in copies and first == item.file_location:
            copies[item.document_id] = 0
            yield _listed(item, store, page_limit)
        elif first != item.file_location:
            copies[item.document_id] += 1
            yield _duplicate(item, first, copies[item.document_id])
        # else: the same record listed twice is one document


def _listed(record: DocumentRecord, store: ObjectStore, page_limit: int) -> ManifestEntry:
    try:
        return inspect_object(store, record, page_limit=page_limit)
    except (ObjectNotFound, InvalidKey) as error:
        return ManifestEntry(record, None, error=str(error), error_stage="read")


def _duplicate(record: DocumentRecord, first_location: str, number: int) -> ManifestEntry:
    # A distinct id keeps both documents countable; the reason names the original.
    renamed = replace(record, document_id=f"{record.document_id}#duplicate-{number}")
    reason = (
        f"duplicate document id {record.document_id!r}: already used by"
        f" {first_location!r}; this record points at {record.file_location!r}"
    )
    return ManifestEntry(renamed, None, error=reason, error_stage="catalog")


def write_manifest(store: ObjectStore, week: date, entries: list[ManifestEntry]) -> str:
    body = {"week": week.isoformat(), "documents": [entry.to_json() for entry in entries]}
    store.put(manifest_key(week), json.dumps(body, indent=1).encode(), "application/json")
    return manifest_key(week)


def read_manifest(store: ObjectStore, week: date) -> list[ManifestEntry]:
    body = json.loads(store.get(manifest_key(week)))
    return [ManifestEntry.from_json(item) for item in body["documents"]]


def manifest_totals(entries: list[ManifestEntry]) -> dict[str, dict[str, int]]:
    return {
        "by_content_type": dict(Counter(e.record.content_type for e in entries).most_common()),
        "by_customer": dict(Counter(e.record.customer_id for e in entries).most_common()),
    }
