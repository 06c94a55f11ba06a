"""Manifests stream to and from the store; objects a read-ahead pass hashed are not read again."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from report_pipeline.models import ManifestEntry
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.keys import read_ahead_manifest_key
from report_pipeline.pipeline.manifest import (
    HashedBefore,
    ManifestTally,
    iter_entries_between,
    iter_manifest_entries,
    read_manifest_at,
    write_manifest_at,
)
from report_pipeline.resources.connections import open_services
from report_pipeline.storage.object_store import LocalObjectStore, sha256_of
from report_pipeline.weeks import day_bounds

WEEK, TUESDAY = date(2024, 3, 4), date(2024, 3, 5)


class CountingStore:
    """The real store, counting the objects whose bytes are downloaded."""

    def __init__(self, inner) -> None:
        self._inner, self.read = inner, []

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def iter_chunks(self, key):
        if key.startswith("customers/"):
            self.read.append(key)
        return self._inner.iter_chunks(key)


def _note(services, text: str, hour: int, document_id: str | None = None):
    at = datetime(TUESDAY.year, TUESDAY.month, TUESDAY.day, hour, tzinfo=UTC)
    data = text.encode()
    return store_document(services, data, f"n{hour}.txt", "text/plain", "acme", at, document_id)


def _read_ahead(services) -> list[ManifestEntry]:
    entries = list(iter_entries_between(services.catalog, services.store, *day_bounds(TUESDAY)))
    write_manifest_at(services.store, read_ahead_manifest_key(TUESDAY), {}, entries)
    return entries


def test_a_manifest_streams_out_and_back_and_older_manifests_still_read(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    listed = [
        ManifestEntry.from_json(
            {
                "document_id": f"d{n}",
                "file_location": f"customers/acme/d{n}.txt",
                "content_type": "text/plain",
                "created_at": "2024-03-05T10:00:00+00:00",
                "size": n,
                "sha256": f"{n:064x}",
                "error": None,
                "etag": f"{n}-1",
            }
        )
        for n in range(3)
    ]
    tally = ManifestTally()
    write_manifest_at(store, "m/new.json", {"day": "2024-03-05"}, tally.counted(iter(listed)))
    assert read_manifest_at(store, "m/new.json") == listed
    assert (tally.documents, tally.bytes) == (3, 3)
    body = json.loads(store.get("m/new.json"))  # still one JSON document
    assert body["day"] == "2024-03-05" and len(body["documents"]) == 3
    write_manifest_at(store, "m/empty.json", {}, [])
    assert read_manifest_at(store, "m/empty.json") == []
    older = {"week": "2024-03-04", "documents": [e.to_json() for e in listed]}
    store.put("m/old.json", json.dumps(older, indent=1).encode())
    assert read_manifest_at(store, "m/old.json") == listed


def test_the_week_reuses_the_hashes_of_objects_unchanged_since_read_ahead(settings) -> None:
    services = open_services(settings)
    kept = _note(services, "Visit note, vitals stable.", 9)
    replaced = _note(services, "Visit note, awaiting labs.", 10, document_id="doc-r")
    ahead = {e.record.document_id: e for e in _read_ahead(services)}
    assert all(entry.etag for entry in ahead.values())
    services.store.put(replaced.file_location, b"Visit note, labs normal.", "text/plain")
    late = _note(services, "Discharge letter sent.", 22)  # after the pass
    counting = CountingStore(services.store)
    week = {
        e.record.document_id: e
        for e in iter_manifest_entries(
            services.catalog, counting, WEEK, hashed=HashedBefore(counting)
        )
    }
    # Only the replaced object and the one that arrived after the pass are downloaded.
    assert sorted(counting.read) == sorted([replaced.file_location, late.file_location])
    assert week[kept.document_id] == ahead[kept.document_id]
    assert week["doc-r"].sha256 == sha256_of(services.store, replaced.file_location)
    assert week["doc-r"].sha256 != ahead["doc-r"].sha256


def test_a_changed_catalog_record_is_hashed_again(settings) -> None:
    services = open_services(settings)
    record = _note(services, "Visit note, vitals stable.", 9)
    entries = _read_ahead(services)
    changed = ManifestEntry.from_json({**entries[0].to_json(), "content_type": "image/png"})
    write_manifest_at(services.store, read_ahead_manifest_key(TUESDAY), {}, [changed])
    counting = CountingStore(services.store)
    [entry] = iter_manifest_entries(services.catalog, counting, WEEK, hashed=HashedBefore(counting))
    assert counting.read == [record.file_location]
    assert entry.record.content_type == "text/plain"
