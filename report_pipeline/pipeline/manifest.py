"""The week's manifest: which documents arrived, and the hash of their bytes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline.inspection import inspect_object
from report_pipeline.pipeline.keys import manifest_key, read_ahead_manifest_key
from report_pipeline.pipeline.streamed_json import iter_items, write_items
from report_pipeline.storage.catalog import DocumentCatalog, InvalidRecord
from report_pipeline.storage.object_store import InvalidKey, ObjectNotFound, ObjectStore
from report_pipeline.weeks import week_bounds

# How many weeks back a document created before the week is still looked for (late arrivals).
LATE_LOOKBACK_WEEKS = 4


class HashedBefore:
    """The entries the read-ahead passes hashed, to list an unchanged object without its bytes.

    An entry is reused only for the same catalog record whose object still has the
    version token (ObjectStore.version: S3's ETag) it had when its bytes were hashed:
    new bytes under the same key, or a changed record, are read and hashed again. The
    passes' manifests are read one day at a time (the catalog lists in created_at order).
    """

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._day: date | None = None
        self._entries: dict[str, ManifestEntry] = {}

    def unchanged(self, record: DocumentRecord) -> ManifestEntry | None:
        """The earlier entry of ``record`` when its object is as it was hashed, else None."""
        day = record.created_at.astimezone(UTC).date()
        if day != self._day:
            self._day, self._entries = day, self._day_entries(day)
        known = self._entries.get(record.document_id)
        if known is None or known.etag is None or known.error or known.record != record:
            return None
        if self._store.version(record.file_location) != known.etag:
            return None
        return replace(known, record=record)

    def _day_entries(self, day: date) -> dict[str, ManifestEntry]:
        try:
            entries = iter_manifest_at(self._store, read_ahead_manifest_key(day))
            return {entry.record.document_id: entry for entry in entries}
        except ObjectNotFound:
            return {}


def iter_manifest_entries(
    catalog: DocumentCatalog, store: ObjectStore, week: date, **options: Any
) -> Iterator[ManifestEntry]:
    """Stream the week's records; `options` as iter_entries_between's (page_limit, hashed)."""
    return iter_entries_between(catalog, store, *week_bounds(week), **options)


def iter_entries_between(
    catalog: DocumentCatalog,
    store: ObjectStore,
    start: datetime,
    end: datetime,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    hashed: HashedBefore | None = None,
) -> Iterator[ManifestEntry]:
    """Stream the records created in [start, end); each becomes exactly one entry, never a crash.

    An unreadable object, an invalid record or a second record reusing an id
    is listed with its error (a dead letter), not dropped. Only an exact repeat
    of a record (same id, same object) is the same document and listed once.
    ``hashed``: entries hashed before, reused for objects unchanged since.
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
            yield _listed(item, store, page_limit, hashed)
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
            for entry in iter_manifest_at(store, manifest_key(past)):
                owner = entry.late_for or past.isoformat()
                listed.setdefault(owner, set()).add(entry.record.document_id)
        except ObjectNotFound:
            pass
        past += timedelta(weeks=1)
    return listed


def _listed(
    record: DocumentRecord, store: ObjectStore, page_limit: int, hashed: HashedBefore | None = None
) -> ManifestEntry:
    try:
        if hashed is not None and (known := hashed.unchanged(record)) is not None:
            return known
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


def write_manifest(store: ObjectStore, week: date, entries: Iterable[ManifestEntry]) -> str:
    return write_manifest_at(store, manifest_key(week), {"week": week.isoformat()}, entries)


def write_manifest_at(
    store: ObjectStore, key: str, head: dict[str, str], entries: Iterable[ManifestEntry]
) -> str:
    """A manifest under ``key``: ``head`` (its week or day), then every entry, one a line.

    ``entries`` is consumed as it streams to the store, never held.
    """
    return write_items(store, key, head, "documents", (entry.to_json() for entry in entries))


def read_manifest(store: ObjectStore, week: date) -> list[ManifestEntry]:
    return read_manifest_at(store, manifest_key(week))


def iter_manifest(store: ObjectStore, week: date) -> Iterator[ManifestEntry]:
    """The week's manifest an entry at a time."""
    return iter_manifest_at(store, manifest_key(week))


def read_manifest_at(store: ObjectStore, key: str) -> list[ManifestEntry]:
    """A manifest by its key: the week's, or a read-ahead day's."""
    return list(iter_manifest_at(store, key))


def iter_manifest_at(store: ObjectStore, key: str) -> Iterator[ManifestEntry]:
    """A manifest's entries, read a line at a time."""
    return (ManifestEntry.from_json(item) for item in iter_items(store, key, "documents"))


class ManifestTally:
    """The manifest's totals, counted while its entries stream past on their way to the store."""

    def __init__(self) -> None:
        self.documents = self.unreadable = self.late_arrivals = self.bytes = 0
        self.by_content_type: Counter[str] = Counter()
        self.by_customer: Counter[str] = Counter()

    def counted(self, entries: Iterable[ManifestEntry]) -> Iterator[ManifestEntry]:
        for entry in entries:
            self.documents += 1
            self.unreadable += bool(entry.error)
            self.late_arrivals += bool(entry.late_for)
            self.bytes += entry.record.size
            self.by_content_type[entry.record.content_type] += 1
            self.by_customer[entry.record.customer_id] += 1
            yield entry

    def totals(self) -> dict[str, dict[str, int]]:
        """As manifest_totals: documents per content type and per customer, most first."""
        return {
            "by_content_type": dict(self.by_content_type.most_common()),
            "by_customer": dict(self.by_customer.most_common()),
        }


def manifest_totals(entries: Iterable[ManifestEntry]) -> dict[str, dict[str, int]]:
    tally = ManifestTally()
    for _ in tally.counted(entries):
        pass
    return tally.totals()
