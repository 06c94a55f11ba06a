"""The week's manifest: which documents arrived, and the hash of their bytes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline.inspection import inspect_object
from report_pipeline.pipeline.keys import manifest_key
from report_pipeline.storage.catalog import DocumentCatalog, InvalidRecord
from report_pipeline.storage.object_store import InvalidKey, ObjectNotFound, ObjectStore
from report_pipeline.weeks import week_bounds

# How many weeks back a document created before the week is still looked for (late arrivals).
LATE_LOOKBACK_WEEKS = 4


def iter_manifest_entries(
    catalog: DocumentCatalog, store: ObjectStore, week: date, *, page_limit: int = DEFAULT_MAX_PAGES
) -> Iterator[ManifestEntry]:
    """Stream the week's records (see `iter_entries_between`)."""
    return iter_entries_between(catalog, store, *week_bounds(week), page_limit=page_limit)


def iter_entries_between(
    catalog: DocumentCatalog,
    store: ObjectStore,
    start: datetime,
    end: datetime,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
) -> Iterator[ManifestEntry]:
    """Stream the records created in [start, end); each becomes exactly one entry, never a crash.

    An unreadable object, an invalid record or a second record reusing an id
    is listed with its error (a dead letter), not dropped. Only an exact repeat
    of a record (same id, same object) is the same document and listed once.
    """
    first_location: dict[str, str] = {}
    copies: Counter[str] = Counter()
    for item in catalog.iter_items_between(start, end):
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


def iter_late_arrivals(
    catalog: DocumentCatalog,
    store: ObjectStore,
    week: date,
    published: list[date],
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
) -> Iterator[ManifestEntry]:
    """Documents created in an earlier, already published week that no manifest listed.

    The rule (docs/reports.md, "Late arrivals"): a document whose ``created_at`` falls in a
    week that already has a published report is counted in the next report built after it
    arrived, flagged ``late_for`` that week; the closed week's report stays the one that was
    mailed. ``published``: the weeks before ``week`` (within LATE_LOOKBACK_WEEKS) that have a
    report. A document is listed late once: the manifests of the weeks since are read too.
    """
    earliest = week - timedelta(weeks=LATE_LOOKBACK_WEEKS)
    listed = _listed_ids_since(store, earliest, week)
    for past in sorted(p for p in published if earliest <= p < week):
        known = listed.get(past.isoformat(), set())
        for record in catalog.iter_created_between(*week_bounds(past)):
            if record.document_id not in known:
                known.add(record.document_id)
                yield replace(_listed(record, store, page_limit), late_for=past.isoformat())


def _listed_ids_since(store: ObjectStore, earliest: date, week: date) -> dict[str, set[str]]:
    """Per week (ISO Monday): the document ids some manifest from ``earliest`` on counted."""
    listed: dict[str, set[str]] = {}
    past = earliest
    while past < week:
        try:
            entries = read_manifest(store, past)
        except ObjectNotFound:
            entries = []
        for entry in entries:
            owner = entry.late_for or past.isoformat()
            listed.setdefault(owner, set()).add(entry.record.document_id)
        past += timedelta(weeks=1)
    return listed


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
    return write_manifest_at(store, manifest_key(week), {"week": week.isoformat()}, entries)


def write_manifest_at(
    store: ObjectStore, key: str, head: dict[str, str], entries: list[ManifestEntry]
) -> str:
    """A manifest under ``key``: ``head`` (its week or day), then every entry."""
    body = {**head, "documents": [entry.to_json() for entry in entries]}
    store.put(key, json.dumps(body, indent=1).encode(), "application/json")
    return key


def read_manifest(store: ObjectStore, week: date) -> list[ManifestEntry]:
    return read_manifest_at(store, manifest_key(week))


def read_manifest_at(store: ObjectStore, key: str) -> list[ManifestEntry]:
    """A manifest by its key: the week's, or a read-ahead day's."""
    body = json.loads(store.get(key))
    return [ManifestEntry.from_json(item) for item in body["documents"]]


def manifest_totals(entries: list[ManifestEntry]) -> dict[str, dict[str, int]]:
    return {
        "by_content_type": dict(Counter(e.record.content_type for e in entries).most_common()),
        "by_customer": dict(Counter(e.record.customer_id for e in entries).most_common()),
    }
