"""The week's manifest: which documents arrived, and the hash of their bytes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Iterator

from report_pipeline.keys import manifest_key
from report_pipeline.models import ManifestEntry
from report_pipeline.storage.catalog import DocumentCatalog
from report_pipeline.storage.object_store import InvalidKey, ObjectNotFound, ObjectStore, sha256_of
from report_pipeline.weeks import week_bounds


def iter_manifest_entries(
    catalog: DocumentCatalog, store: ObjectStore, week: date
) -> Iterator[ManifestEntry]:
    """Stream the week's records; an unreadable object is listed with its error, not dropped."""
    seen: set[str] = set()
    for record in catalog.iter_created_between(*week_bounds(week)):
        if record.document_id in seen:
            continue
        seen.add(record.document_id)
        try:
            yield ManifestEntry(record, sha256_of(store, record.file_location))
        except (ObjectNotFound, InvalidKey) as error:
            yield ManifestEntry(record, None, error=str(error))


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
