"""Feature extraction over manifest entries, with a content-addressed cache.

An unchanged document (same bytes, same extractor version) is read from the
cache and never re-extracted; a document that fails becomes a failed
FeatureResult with its stage and reason, and the rest of the batch goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
import math
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import PurePosixPath
from typing import IO

from report_pipeline.classify import DEFAULT_THRESHOLD, Classifier, load_taxonomy
from report_pipeline.extraction import (
    EXTRACTOR_VERSIONS,
    OCR_KINDS,
    extract_file,
    extract_pdf_part,
    kind_for_or_none,
    merge_pdf_parts,
)
from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES, estimated_pages
from report_pipeline.extraction.languages import ocr_language_tag
from report_pipeline.models import DocumentError, FeatureResult, ManifestEntry
from report_pipeline.pipeline.keys import (
    feature_cache_key,
    feature_part_cache_key,
    week_features_key,
)
from report_pipeline.pipeline.streamed_json import iter_items, write_items
from report_pipeline.pipeline.type_classifier import load_classifier
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore

# Objects are spooled through a temporary file while hashed: memory stays at
# this size whatever the object's, and nothing is extracted before its bytes
# are known to be the ones the manifest listed.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024


def extractor_version_for(entry: ManifestEntry) -> str:
    """The extractor of what the bytes are (the manifest's kind), else of the label.

    Keyed by content, a mislabelled file re-labelled correctly keeps its cache
    entry and two labels of the same bytes share one. An entry of an older
    manifest without a kind is keyed by its label; an unlabelled one apart.
    """
    kind = entry.kind or kind_for_or_none(
        entry.record.content_type, PurePosixPath(entry.record.file_location).name
    )
    if kind not in EXTRACTOR_VERSIONS:  # any extractor may read it: any version change must miss
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


def extract_entry(
    entry: ManifestEntry,
    store: ObjectStore,
    attempts: int = 1,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    taxonomy_path: str | None = None,
    classifier: Classifier | None = None,
) -> FeatureResult:
    """Features of one document; a document's own failure is a result, never an exception.

    `page_limit` is REPORT_PIPELINE_MAX_PAGES, `taxonomy_path` REPORT_PIPELINE_DOCUMENT_TYPES
    (None: the packaged taxonomy): the entry point hands both in from its settings.
    ``classifier``: the run's (classifier_for), loaded once per batch; None loads it.
    """
    name = PurePosixPath(entry.record.file_location).name

    def compute(handle: IO[bytes], size: int) -> tuple[str, dict]:
        record = entry.record
        language = record.language
        return extract_file(
            handle, size, record.content_type, name, language=language, page_limit=page_limit
        )

    key_of = lambda version: feature_cache_key(version, entry.sha256 or "")  # noqa: E731
    result = _extract_cached(entry, store, attempts, key_of, compute)
    return with_document_type(result, store, classifier or classifier_for(store, taxonomy_path))


def classifier_for(
    store: ObjectStore | None,
    taxonomy_path: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Classifier:
    """The taxonomy at ``taxonomy_path`` and ``threshold``, with the type model the store holds."""
    return load_classifier(store, load_taxonomy(taxonomy_path), threshold)


def with_document_type(
    result: FeatureResult, store: ObjectStore | None = None, classifier: Classifier | None = None
) -> FeatureResult:
    """The result with its document type, classified again when the classifier changed.

    The type lives in the features with its classifier version (rules,
    taxonomy, type model, threshold); the extraction cache key stays the
    extractor's, so a new taxonomy or model re-classifies from the cached text
    (milliseconds) and never re-runs OCR. The re-classified result is written
    back to the cache, so the next run reads it as it is.
    """
    if result.status != "ok":
        return result
    classifier = classifier or classifier_for(store)
    found = result.features.get("document_type")
    if isinstance(found, dict) and found.get("version") == classifier.version:
        return result
    result.features["document_type"] = classifier.classify_features(result.features)
    if store is not None and result.cache_key:
        body = {**result.to_json(), "cached": False, "seconds": result.seconds}
        store.put(result.cache_key, json.dumps(body).encode(), "application/json")
    return result


def extract_part(
    entry: ManifestEntry,
    first: int,
    stop: int,
    store: ObjectStore,
    attempts: int = 1,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
) -> FeatureResult:
    """Pages [first, stop) of a PDF split across batches: features are a part for join_parts.

    Cached per page range (content-addressed like whole documents).
    """
    name = PurePosixPath(entry.record.file_location).name

    def compute(handle: IO[bytes], size: int) -> tuple[str, dict]:
        record = entry.record
        return "pdf", extract_pdf_part(
            handle, record.content_type, name, (first, stop), record.language, page_limit=page_limit
        )

    return _extract_cached(
        entry,
        store,
        attempts,
        lambda version: feature_part_cache_key(version, entry.sha256 or "", first, stop),
        compute,
    )


def listing_failure(entry: ManifestEntry, attempts: int = 1) -> FeatureResult | None:
    """The failed result of an entry that cannot be read at all (failed at listing), else None."""
    if not (entry.error or entry.sha256 is None):
        return None
    stage = entry.error_stage or "read"
    return _failed(
        entry.record.document_id,
        stage,
        entry.error or "object could not be read",
        "InvalidCatalogRecord" if stage == "catalog" else "ObjectNotReadable",
        attempts,
    )


def _extract_cached(
    entry: ManifestEntry,
    store: ObjectStore,
    attempts: int,
    key_of: Callable[[str], str],
    compute: Callable[[IO[bytes], int], tuple[str, dict]],
) -> FeatureResult:
    doc_id = entry.record.document_id
    if (failure := listing_failure(entry, attempts)) is not None:
        return failure
    try:
        version = extractor_version_for(entry)
        cache_key = key_of(version)
        if (cached := _cached(store, cache_key)) is not None:
            # The cache is keyed by content: the same bytes may arrive as another document.
            cached.document_id, cached.cached, cached.seconds = doc_id, True, 0.0
            cached.attempts = attempts
            return cached
        with _spooled_verified(entry, store) as (handle, size):
            started = time.perf_counter()
            kind, features = compute(handle, size)
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


def _cached(store: ObjectStore, cache_key: str) -> FeatureResult | None:
    try:  # one request, not a look then a read
        return FeatureResult.from_json(json.loads(store.get(cache_key)))
    except ObjectNotFound:
        return None


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


# Cache lookups are one request each on S3: run them concurrently (request_threads).
# A store that does not say: as many as S3's.
CACHE_LOOKUP_THREADS = 16


def needs_extraction(entry: ManifestEntry, store: ObjectStore) -> bool:
    """True when the entry's bytes must be read and extracted (nothing cached to reuse)."""
    key = cache_key_for(entry)
    return key is not None and not entry.error and not store.exists(key)


# Relative cost of extraction, in scanned pages (one page's OCR ~ 1 s here): a text
# note is ~2 ms, and text is decoded at roughly 20 MB/s; a PDF page with a text
# layer is read in ~3-6 ms (BENCHMARKS.md, 8).
TEXT_COST = 0.002
TEXT_BYTES_PER_PAGE = 20 * 1024 * 1024
TEXT_LAYER_PAGE_COST = 0.005
# A document is split into page ranges of at least this many scanned pages: each
# part pays a step's share of overhead and reads (and hashes) the whole file.
MIN_PART_PAGES = 4

# A unit of work in a batch: a manifest position (the whole document), or
# (position, first page, stop page) for pages [first, stop) of a PDF split
# across batches; the parts are joined back into one document (join_results).
WorkItem = int | tuple[int, int, int]


def page_costs(entry: ManifestEntry) -> list[float] | None:
    """Each page's estimated cost, from the manifest's look at a PDF; None when not known."""
    if not entry.pages or entry.scanned is None:
        return None
    costs = [TEXT_LAYER_PAGE_COST] * entry.pages
    for first, stop in entry.scanned:
        costs[first:stop] = [1.0] * (min(stop, entry.pages) - first)
    return costs


def extraction_cost(entry: ManifestEntry, page_limit: int = DEFAULT_MAX_PAGES) -> float:
    """Estimated extraction time of an entry, in page-OCR units."""
    costs = page_costs(entry)
    if costs is not None:  # a PDF whose pages were looked at: its scanned pages
        return max(TEXT_COST, sum(costs))
    name = PurePosixPath(entry.record.file_location).name
    kind = entry.kind or kind_for_or_none(entry.record.content_type, name)
    if kind == "text":
        return TEXT_COST + entry.record.size / TEXT_BYTES_PER_PAGE
    pages = estimated_pages(kind, entry.record.size, page_limit)  # PDFs: likely scanned pages
    # Images, and unlabelled files whose bytes may be an image, cost one page.
    return 1.0 if pages is None else pages


def split_pages(costs: list[float], parts: int) -> list[tuple[int, int]]:
    """Consecutive [first, stop) page ranges of near-equal cost: at most `parts`, none empty."""
    parts = max(1, min(parts, len(costs)))
    total, running, first = sum(costs), 0.0, 0
    ranges: list[tuple[int, int]] = []
    for index, cost in enumerate(costs[:-1]):
        running += cost
        if len(ranges) + 1 < parts and running >= total * (len(ranges) + 1) / parts - 1e-9:
            ranges.append((first, index + 1))
            first = index + 1
    ranges.append((first, len(costs)))
    return ranges


@dataclasses.dataclass(frozen=True)
class WorkPlan:
    """What a run extracts, batch by batch, and what it only looks up."""

    batches: list[tuple[WorkItem, ...]]  # one batch step each
    ready: tuple[int, ...]  # manifest positions needing no extraction (cached, failed at listing)


def plan_batches(
    entries: Iterable[ManifestEntry],
    store: ObjectStore,
    max_batch_size: int,
    workers: int,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
) -> WorkPlan:
    """Work items per batch step, and the documents no step needs to read.

    Documents to extract are spread over batches of about `max_batch_size`
    pages' worth of work each, in full waves of workers, balanced by estimated
    cost (a step costs ~0.5 s, so a thousand notes share one step while pages
    get one step per `max_batch_size`). A PDF with more scanned pages than a
    batch's share is split into page ranges, so a long document never keeps one
    worker busy while the others idle. Documents served from the cache or
    failed at listing need no extraction and no batch: the collecting step
    streams them from the cache (ready_results), so a week read ahead passes
    positions between steps, not a hundred thousand results.
    """
    pending, ready = _sorted_by_need(entries, store)
    costs = {i: extraction_cost(entry, page_limit) for i, entry in pending.items()}
    count = batch_count(math.ceil(sum(costs.values())), max_batch_size, workers)
    share = sum(costs.values()) / count if count else 0.0
    items: list[tuple[WorkItem, float]] = []
    for position, entry in pending.items():
        items.extend(_work_items(position, entry, costs[position], share))
    return WorkPlan(_balanced(items, min(len(items), count)), ready)


# Entries looked up in the cache at a time: the plan holds these, not the manifest.
LOOKUP_CHUNK = 1024


def _sorted_by_need(
    entries: Iterable[ManifestEntry], store: ObjectStore
) -> tuple[dict[int, ManifestEntry], tuple[int, ...]]:
    """The entries to extract by manifest position, and the positions of the rest.

    The entries stream past in chunks: only those to extract are kept (on a week
    read ahead, the few that arrived since the last pass).
    """
    pending: dict[int, ManifestEntry] = {}
    ready: list[int] = []
    looked_up = _looked_up(store, lambda entry: needs_extraction(entry, store), entries)
    for position, (entry, flag) in enumerate(looked_up):
        if flag:
            pending[position] = entry
        else:
            ready.append(position)
    return pending, tuple(ready)


def _looked_up(store: ObjectStore, lookup: Callable, items: Iterable) -> Iterator[tuple]:
    """(item, lookup(item)) in order; as many lookups at once as the store's requests
    are worth (its request_threads), a chunk of items at a time."""
    threads = getattr(store, "request_threads", CACHE_LOOKUP_THREADS)
    if threads <= 1:
        yield from ((item, lookup(item)) for item in items)
        return
    with ThreadPoolExecutor(threads) as pool:
        for chunk in _chunked(items, LOOKUP_CHUNK):
            yield from zip(chunk, pool.map(lookup, chunk), strict=True)


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _work_items(
    position: int, entry: ManifestEntry, cost: float, share: float
) -> list[tuple[WorkItem, float]]:
    """The document whole, or its page ranges when it costs more than a batch's share."""
    costs = page_costs(entry)
    parts = min(math.ceil(cost / share), int(cost // MIN_PART_PAGES)) if share > 0 else 1
    if costs is None or parts < 2:
        return [(position, cost)]
    return [
        ((position, first, stop), sum(costs[first:stop]))
        for first, stop in split_pages(costs, parts)
    ]


def _item_order(item: WorkItem) -> tuple[int, int]:
    return (item, -1) if isinstance(item, int) else (item[0], item[1])


def _balanced(items: list[tuple[WorkItem, float]], count: int) -> list[tuple[WorkItem, ...]]:
    """Longest job first onto the least loaded batch: near-equal total cost per batch."""
    loads = [(0.0, number) for number in range(count)]
    members: list[list[WorkItem]] = [[] for _ in range(count)]
    for item, cost in sorted(items, key=lambda pair: (-pair[1], _item_order(pair[0]))):
        load, number = heapq.heappop(loads)
        members[number].append(item)
        heapq.heappush(loads, (load + cost, number))
    return [tuple(sorted(batch, key=_item_order)) for batch in members]


def extract_entries(
    entries: list[ManifestEntry],
    store: ObjectStore,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    taxonomy_path: str | None = None,
) -> list[FeatureResult]:
    classifier = classifier_for(store, taxonomy_path)
    return [
        extract_entry(entry, store, page_limit=page_limit, classifier=classifier)
        for entry in entries
    ]


def entries_at(entries: Iterable[ManifestEntry], items: tuple[WorkItem, ...]) -> dict:
    """The entries a batch's work items name, by manifest position (the rest stream past)."""
    positions = {item if isinstance(item, int) else item[0] for item in items}
    return {number: entry for number, entry in enumerate(entries) if number in positions}


def extract_batch(
    items: tuple[WorkItem, ...],
    manifest: Sequence[ManifestEntry] | Mapping[int, ManifestEntry],
    store: ObjectStore,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    taxonomy_path: str | None = None,
    classifier: Classifier | None = None,
) -> list[dict]:
    """One batch's results as JSON: a document's result, or a part of a split PDF.

    A document found in the cache leaves the batch without its features (IN_CACHE):
    a week read ahead then passes its documents' keys between steps, not their text.
    """
    out: list[dict] = []
    classifier = classifier or classifier_for(store, taxonomy_path)
    for item in items:
        if isinstance(item, int):
            entry = manifest[item]
            found = extract_entry(entry, store, page_limit=page_limit, classifier=classifier)
            if found.cached and found.cache_key:
                found.features = {IN_CACHE: found.cache_key}
            out.append(found.to_json())
            continue
        position, first, stop = item
        entry = manifest[position]
        result = extract_part(entry, first, stop, store, page_limit=page_limit)
        document_key = cache_key_for(entry)
        out.append({"part": [first, stop], "document_key": document_key, **result.to_json()})
    return out


def ready_results(
    entries: Iterable[ManifestEntry],
    positions: Collection[int],
    store: ObjectStore,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    classifier: Classifier | None = None,
) -> Iterator[FeatureResult]:
    """The results of the entries at ``positions`` (a plan's ``ready``), in manifest order.

    Each is read from the cache, or failed as listed; the entries stream past and the
    lookups run the store's request_threads at a time. One the cache lost since the plan is
    extracted here: the result is the same, only slower.
    """
    wanted = frozenset(positions)
    chosen = (entry for number, entry in enumerate(entries) if number in wanted)
    classifier = classifier or classifier_for(store)

    def result_of(entry: ManifestEntry) -> FeatureResult:
        return extract_entry(entry, store, page_limit=page_limit, classifier=classifier)

    for _entry, result in _looked_up(store, result_of, chosen):
        yield result


def listing_failures(
    entries: Iterable[ManifestEntry], positions: Collection[int]
) -> list[FeatureResult]:
    """The failed results among the entries at ``positions``; the rest are in the cache."""
    wanted = frozenset(positions)
    found = (listing_failure(e) for number, e in enumerate(entries) if number in wanted)
    return [failure for failure in found if failure is not None]


# The features of a result that are in the feature cache under this key (extract_batch):
# with_cached_features reads them back, one document at a time, as the week is written.
IN_CACHE = "in_cache"


def with_cached_features(
    store: ObjectStore, results: Iterable[FeatureResult]
) -> Iterator[FeatureResult]:
    """The results, each cache hit with its features read back from the cache."""
    for result in results:
        key = result.features.get(IN_CACHE)
        if key is None:
            yield result
            continue
        features = json.loads(store.get(key))["features"]
        yield dataclasses.replace(result, features=features)


def join_parts(parts: list[FeatureResult], cache_key: str | None = None) -> FeatureResult:
    """One document's result from the results of its page ranges (pure).

    Equal to reading the document whole: pages, pages_ocr, pages_text_layer,
    failed pages and text statistics are merged by merge_pdf_parts. A part that
    failed as a whole (the object changed, the PDF cannot be opened) fails the
    document with its reason, as reading it whole would have.
    """
    document_id = parts[0].document_id
    attempts = max(part.attempts for part in parts)
    failed = next((part for part in parts if part.status == "failed"), None)
    if failed is not None:
        return _failed(
            document_id,
            failed.stage or "features",
            failed.reason or "",
            failed.error_class,
            attempts,
        )
    try:
        features = merge_pdf_parts([part.features for part in parts])
    except DocumentError as error:
        return _failed(document_id, error.stage, error.reason, error.error_class, attempts)
    return FeatureResult(
        document_id,
        "ok",
        "pdf",
        features,
        cache_key=cache_key,
        cached=all(part.cached for part in parts),
        seconds=round(sum(part.seconds for part in parts), 4),
        attempts=attempts,
    )


def join_results(
    batches: list[list[dict]],
    store: ObjectStore | None = None,
    *,
    classifier: Classifier | None = None,
) -> tuple[list[FeatureResult], list[FeatureResult]]:
    """(every document's result, the ones joined from parts), documents in batch order.

    ``classifier`` types the joined documents (None: the packaged taxonomy, and the type
    model ``store`` holds).
    """
    results: list[FeatureResult | str] = []
    parts: dict[str, list[FeatureResult]] = {}
    keys: dict[str, str | None] = {}
    for item in (item for batch in batches for item in batch):
        if "part" not in item:
            results.append(FeatureResult.from_json(item))
            continue
        item = dict(item)
        del item["part"]
        keys[item["document_id"]] = item.pop("document_key")
        if item["document_id"] not in parts:
            results.append(item["document_id"])  # the joined document's place
        parts.setdefault(item["document_id"], []).append(FeatureResult.from_json(item))
    classifier = (classifier or classifier_for(store)) if parts else None
    joined = {
        doc: with_document_type(join_parts(found, keys[doc]), classifier=classifier)
        for doc, found in parts.items()
    }
    return [joined[r] if isinstance(r, str) else r for r in results], list(joined.values())


def cache_joined(store: ObjectStore, joined: list[FeatureResult]) -> None:
    """Store a joined document under its whole-document key: a re-run reads it in one go."""
    for result in joined:
        if result.status == "ok" and result.cache_key:
            body = {**result.to_json(), "cached": False}
            store.put(result.cache_key, json.dumps(body).encode(), "application/json")


def write_week_features(store: ObjectStore, week: date, results: Iterable[FeatureResult]) -> str:
    """The week's results, streamed to the store one a line."""
    items = (result.to_json() for result in results)
    return write_items(store, week_features_key(week), {"week": week.isoformat()}, "results", items)


def read_week_features(
    store: ObjectStore, week: date, keep: Collection[str] | None = None
) -> list[FeatureResult]:
    """The week's results; with ``keep``, only those feature names are kept of each.

    The report reads a few numbers and terms of each document: dropping the
    rest (excerpts, OCR text) as each line is read keeps a large week's report
    step small.
    """
    return list(iter_week_features(store, week, keep))


def iter_week_features(
    store: ObjectStore, week: date, keep: Collection[str] | None = None
) -> Iterator[FeatureResult]:
    """read_week_features a result at a time, for a reader that folds them as they come."""
    for item in iter_items(store, week_features_key(week), "results"):
        if keep is not None:
            found = item.get("features") or {}
            item["features"] = {name: found[name] for name in keep if name in found}
        yield FeatureResult.from_json(item)


class FeatureTally:
    """feature_counts of results as they stream past (counted)."""

    def __init__(self) -> None:
        self.documents, self.from_cache = 0, 0
        self.failed_by_stage: Counter[str | None] = Counter()
        self.seconds: Counter[str] = Counter()

    def counted(self, results: Iterable[FeatureResult]) -> Iterator[FeatureResult]:
        for result in results:
            self.documents += 1
            self.from_cache += bool(result.cached)
            if result.status == "failed":
                self.failed_by_stage[result.stage] += 1
            if result.kind:
                self.seconds[result.kind] += result.seconds
            yield result

    def counts(self) -> dict[str, object]:
        failed = sum(self.failed_by_stage.values())
        return {
            "documents": self.documents,
            "ok": self.documents - failed,
            "failed": failed,
            "from_cache": self.from_cache,
            "failed_by_stage": dict(self.failed_by_stage),
            "extraction_seconds": {
                kind: round(self.seconds[kind], 2) for kind in ("text", "image", "pdf", "docx")
            },
        }


def feature_counts(results: Iterable[FeatureResult]) -> dict[str, object]:
    tally = FeatureTally()
    for _ in tally.counted(results):
        pass
    return tally.counts()
