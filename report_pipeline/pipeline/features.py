"""Feature extraction over manifest entries, with a content-addressed cache.

An unchanged document (same bytes, same extractor version) is read from the
cache and never re-extracted; a document that fails becomes a failed
FeatureResult with its stage and reason, and the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import PurePosixPath
from typing import IO

from report_pipeline.extraction import (
    EXTRACTOR_VERSIONS,
    OCR_KINDS,
    extract_file,
    kind_for,
    kind_for_or_none,
)
from report_pipeline.extraction.cost import estimated_pages
from report_pipeline.extraction.languages import ocr_language_tag
from report_pipeline.models import DocumentError, FeatureResult, ManifestEntry
from report_pipeline.pipeline.keys import feature_cache_key, week_features_key
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore

# Objects are spooled through a temporary file while hashed: memory stays at
# this size whatever the object's, and nothing is extracted before its bytes
# are known to be the ones the manifest listed.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024


def extractor_version_for(entry: ManifestEntry) -> str:
    """Label-based; an unlabelled file is keyed apart, since its bytes pick the extractor."""
    try:
        kind = kind_for(entry.record.content_type, PurePosixPath(entry.record.file_location).name)
    except DocumentError:  # any extractor may read it: any version change must miss the cache
        versions = "+".join(EXTRACTOR_VERSIONS[k] for k in sorted(EXTRACTOR_VERSIONS))
        return f"sniffed-{versions}{ocr_language_tag(entry.record.language)}"
    # OCR'd features depend on the language: the same bytes in German are other features.
    tag = ocr_language_tag(entry.record.language) if kind in OCR_KINDS else ""
    return f"{kind}-{EXTRACTOR_VERSIONS[kind]}{tag}"


def cache_key_for(entry: ManifestEntry) -> str | None:
    """The feature cache key of an entry, or None when it cannot be extracted at all."""
    if entry.sha256 is None:
        return None
    try:
        return feature_cache_key(extractor_version_for(entry), entry.sha256)
    except DocumentError:
        return None


def extract_entry(entry: ManifestEntry, store: ObjectStore, attempts: int = 1) -> FeatureResult:
    """Features of one document; a document's own failure is a result, never an exception."""
    doc_id = entry.record.document_id
    if entry.error or entry.sha256 is None:
        stage = entry.error_stage or "read"
        return _failed(
            doc_id,
            stage,
            entry.error or "object could not be read",
            "InvalidCatalogRecord" if stage == "catalog" else "ObjectNotReadable",
            attempts,
        )
    try:
        cache_key = feature_cache_key(extractor_version_for(entry), entry.sha256)
        if store.exists(cache_key):
            cached = FeatureResult.from_json(json.loads(store.get(cache_key)))
            # The cache is keyed by content: the same bytes may arrive as another document.
            cached.document_id, cached.cached, cached.seconds = doc_id, True, 0.0
            cached.attempts = attempts
            return cached
        with _spooled_verified(entry, store) as (handle, size):
            started = time.perf_counter()
            kind, features = extract_file(
                handle,
                size,
                entry.record.content_type,
                PurePosixPath(entry.record.file_location).name,
                entry.record.language,
            )
    except DocumentError as error:
        return _failed(doc_id, error.stage, error.reason, error.error_class, attempts)
    result = FeatureResult(
        doc_id,
        "ok",
        kind,
        features,
        cache_key=cache_key,
        seconds=round(time.perf_counter() - started, 4),
        attempts=attempts,
    )
    store.put(cache_key, json.dumps(result.to_json()).encode(), "application/json")
    return result


@contextmanager
def _spooled_verified(entry: ManifestEntry, store: ObjectStore) -> Iterator[tuple[IO[bytes], int]]:
    """The object's bytes in a spooled file, after checking them against the manifest hash."""
    digest, size = hashlib.sha256(), 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as handle:
        try:
            for chunk in store.iter_chunks(entry.record.file_location):
                digest.update(chunk)
                handle.write(chunk)
                size += len(chunk)
        except ObjectNotFound as error:
            raise DocumentError("read", str(error), "ObjectNotFound") from None
        if digest.hexdigest() != entry.sha256:
            raise DocumentError(
                "read", "object changed after the manifest was written", "ObjectChanged"
            )
        handle.seek(0)
        yield handle, size


def _failed(
    document_id: str, stage: str, reason: str, error_class: str | None = None, attempts: int = 1
) -> FeatureResult:
    return FeatureResult(
        document_id,
        "failed",
        stage=stage,
        reason=reason,
        error_class=error_class or "DocumentError",
        attempts=attempts,
    )


def batch_count(total: int, max_batch_size: int, workers: int) -> int:
    """How many batches to fan out: a multiple of the workers, none over max size.

    Equal-sized waves keep every worker busy to the end of the week instead of
    leaving one core idle while the last, lone batch runs.
    """
    if total <= 0:
        return 0
    workers, max_batch_size = max(1, workers), max(1, max_batch_size)
    waves = -(-total // (workers * max_batch_size))
    return min(total, workers * waves)


def batch_slice(entries: list, number: int, count: int) -> list:
    """Every count-th entry from `number`: images and text spread evenly over batches."""
    return entries[number::count]


# Cache lookups are one request each on S3: run them concurrently.
CACHE_LOOKUP_THREADS = 16


def needs_extraction(entry: ManifestEntry, store: ObjectStore) -> bool:
    """True when the entry's bytes must be read and extracted (nothing cached to reuse)."""
    key = cache_key_for(entry)
    return key is not None and not entry.error and not store.exists(key)


# Relative cost of extraction, in scanned pages (one page's OCR ~ 1 s here): a text
# note is ~2 ms, and text is decoded at roughly 20 MB/s.
TEXT_COST = 0.002
TEXT_BYTES_PER_PAGE = 20 * 1024 * 1024


def extraction_cost(entry: ManifestEntry) -> float:
    """Estimated extraction time of an entry, in page-OCR units."""
    name = PurePosixPath(entry.record.file_location).name
    kind = kind_for_or_none(entry.record.content_type, name)
    if kind == "text":
        return TEXT_COST + entry.record.size / TEXT_BYTES_PER_PAGE
    pages = estimated_pages(kind, entry.record.size)  # PDFs by their likely scanned pages
    # Images, and unlabelled files whose bytes may be an image, cost one page.
    return 1.0 if pages is None else pages


def plan_batches(
    entries: list[ManifestEntry], store: ObjectStore, max_batch_size: int, workers: int
) -> list[tuple[int, ...]]:
    """Manifest positions per batch step.

    Documents to extract are spread over batches of about `max_batch_size`
    pages' worth of work each, in full waves of workers, balanced by estimated
    cost (a step costs ~0.5 s, so a thousand notes share one step while pages
    get one step per `max_batch_size`). Documents served from the cache or
    failed at listing need no extraction and go together into one last batch:
    a re-run of an unchanged week costs one cheap step instead of a fan-out.
    """
    with ThreadPoolExecutor(CACHE_LOOKUP_THREADS) as pool:
        pending_flags = list(pool.map(lambda entry: needs_extraction(entry, store), entries))
    pending = [i for i, flag in enumerate(pending_flags) if flag]
    ready = tuple(i for i, flag in enumerate(pending_flags) if not flag)
    costs = {i: extraction_cost(entries[i]) for i in pending}
    count = min(len(pending), batch_count(math.ceil(sum(costs.values())), max_batch_size, workers))
    batches = _balanced(pending, costs, count)
    return batches + [ready] if ready else batches


def _balanced(positions: list[int], costs: dict[int, float], count: int) -> list[tuple[int, ...]]:
    """Longest job first onto the least loaded batch: near-equal total cost per batch."""
    loads = [(0.0, number) for number in range(count)]
    members: list[list[int]] = [[] for _ in range(count)]
    for position in sorted(positions, key=lambda i: (-costs[i], i)):
        load, number = heapq.heappop(loads)
        members[number].append(position)
        heapq.heappush(loads, (load + costs[position], number))
    return [tuple(sorted(batch)) for batch in members]


def extract_entries(entries: list[ManifestEntry], store: ObjectStore) -> list[FeatureResult]:
    return [extract_entry(entry, store) for entry in entries]


def write_week_features(store: ObjectStore, week: date, results: list[FeatureResult]) -> str:
    body = {"week": week.isoformat(), "results": [r.to_json() for r in results]}
    store.put(week_features_key(week), json.dumps(body).encode(), "application/json")
    return week_features_key(week)


def read_week_features(store: ObjectStore, week: date) -> list[FeatureResult]:
    body = json.loads(store.get(week_features_key(week)))
    return [FeatureResult.from_json(item) for item in body["results"]]


def feature_counts(results: list[FeatureResult]) -> dict[str, object]:
    failed = [r for r in results if r.status == "failed"]
    return {
        "documents": len(results),
        "ok": len(results) - len(failed),
        "failed": len(failed),
        "from_cache": sum(1 for r in results if r.cached),
        "failed_by_stage": dict(Counter(r.stage for r in failed)),
        "extraction_seconds": {
            kind: round(sum(r.seconds for r in results if r.kind == kind), 2)
            for kind in ("text", "image", "pdf", "docx")
        },
    }
