"""A cheap look at a document's bytes while the manifest hashes them.

The manifest reads every object once to hash it; the same pass notes what the
bytes are (the extractor, hence the feature cache key, follows the content,
not the label) and, for a PDF, how many pages it has and which need OCR (no
rendering, no OCR: ~1 ms a page). Batches are then planned by pages.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import PurePosixPath
from typing import IO

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.extraction.detect import HEAD_BYTES, detected_kind
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.storage.object_store import ObjectStore

# A PDF is spooled through a temporary file while hashed: memory stays bounded.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024


def inspect_object(
    store: ObjectStore, record: DocumentRecord, *, page_limit: int = DEFAULT_MAX_PAGES
) -> ManifestEntry:
    """The record's manifest entry: hash, detected kind and, for a PDF, its scanned pages.

    A PDF over `page_limit` pages (REPORT_PIPELINE_MAX_PAGES) is not looked into.
    Raises ObjectNotFound / InvalidKey like sha256_of.
    """
    # Taken before the bytes are read: a write while they are hashed changes it again.
    etag = store.version(record.file_location)
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
        kind = _hash_and_spool(store.iter_chunks(record.file_location), digest, spool, record)
        entry = ManifestEntry(record, digest.hexdigest(), kind=kind, etag=etag)
        if kind != "pdf":
            return entry
        from report_pipeline.extraction.pdf import inspect_pages  # pypdfium2: PDFs only

        spool.seek(0)
        found = inspect_pages(spool, page_limit=page_limit)
    if found is None:  # unreadable or over the limit: extraction says why, at ~no cost
        return entry
    pages, scanned = found
    return replace(entry, pages=pages, scanned=page_ranges(scanned))


def _hash_and_spool(
    chunks: Iterable[bytes], digest, spool: IO[bytes], record: DocumentRecord
) -> str | None:
    """Hash every chunk; spool them too when the head says PDF. Returns the detected kind."""
    head, kind, known = b"", None, False
    for chunk in chunks:
        digest.update(chunk)
        if known:
            if kind == "pdf":
                spool.write(chunk)
            continue
        head += chunk
        if len(head) >= HEAD_BYTES:
            kind, known = _kind(head, record), True
            if kind == "pdf":
                spool.write(head)
    if not known:
        kind = _kind(head, record)
        if kind == "pdf":
            spool.write(head)
    return kind


def _kind(head: bytes, record: DocumentRecord) -> str | None:
    return detected_kind(head, record.content_type, PurePosixPath(record.file_location).name)


def page_ranges(indices: list[int]) -> list[list[int]]:
    """Sorted page indices as [first, stop) ranges: [0, 1, 2, 5] -> [[0, 3], [5, 6]]."""
    ranges: list[list[int]] = []
    for index in indices:
        if ranges and ranges[-1][1] == index:
            ranges[-1][1] = index + 1
        else:
            ranges.append([index, index + 1])
    return ranges
