"""Extraction over manifest entries: cache, failures as results, batch planning."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from report_pipeline.extraction import extract
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline import features as features_module
from report_pipeline.pipeline.features import (
    LOOKUP_CHUNK,
    WorkPlan,
    _looked_up,
    batch_count,
    batch_slice,
    cache_joined,
    cache_key_for,
    entries_at,
    extract_batch,
    extract_entries,
    extract_entry,
    extraction_cost,
    feature_counts,
    join_results,
    needs_extraction,
    plan_batches,
    ready_results,
    split_pages,
)
from report_pipeline.pipeline.inspection import inspect_object, page_ranges
from report_pipeline.storage.object_store import LocalObjectStore, S3ObjectStore, sha256_of

AT = datetime(2024, 3, 5, tzinfo=UTC)


def _entry(store, key: str, data: bytes | None, content_type: str = "text/plain"):
    if data is not None:
        store.put(key, data)
    record = DocumentRecord(key.rsplit("/", 1)[-1], key, content_type, AT, len(data or b""))
    return ManifestEntry(
        record,
        sha256_of(store, key) if data is not None else None,
        None if data is not None else f"object {key!r} does not exist",
    )


@pytest.fixture
def store(tmp_path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path)


def test_an_unchanged_document_is_served_from_the_cache(store) -> None:
    entry = _entry(store, "customers/a/note.txt", b"patient stable, dosage unchanged")
    first = extract_entry(entry, store)
    again = extract_entry(entry, store)
    assert (first.cached, again.cached) == (False, True)
    assert again.features == first.features and again.seconds == 0.0


def test_the_same_bytes_under_another_id_share_the_cache(store) -> None:
    extract_entry(_entry(store, "customers/a/one.txt", b"same words here"), store)
    twin = extract_entry(_entry(store, "customers/b/two.txt", b"same words here"), store)
    assert twin.cached and twin.document_id == "two.txt"


def test_failures_are_results_with_stage_and_reason(store) -> None:
    results = extract_entries(
        [
            _entry(store, "customers/a/ok.txt", b"fine text"),
            _entry(store, "customers/a/missing.txt", None),
            _entry(store, "customers/a/bin.txt", b"\x00\x01\x02" * 50),
            _entry(
                store,
                "customers/a/x.exe",
                b"MZ\x90\x00\x03\x00\x00\x00" * 8,
                "application/x-msdownload",
            ),
        ],
        store,
    )
    assert [(r.status, r.stage) for r in results] == [
        ("ok", None),
        ("failed", "read"),
        ("failed", "decode"),
        ("failed", "decode"),
    ]
    counts = feature_counts(results)
    assert (counts["ok"], counts["failed"]) == (1, 3)
    assert counts["failed_by_stage"] == {"read": 1, "decode": 2}


def test_a_changed_object_is_not_extracted_under_the_old_hash(store) -> None:
    entry = _entry(store, "customers/a/note.txt", b"version one")
    store.put("customers/a/note.txt", b"version two")
    result = extract_entry(entry, store)
    assert (result.status, result.stage) == ("failed", "read")
    assert "changed" in result.reason


@pytest.mark.parametrize(
    ("total", "size", "workers", "expected"),
    [
        (0, 16, 2, 0),
        (1, 16, 2, 1),
        (12, 16, 2, 2),
        (40, 16, 2, 4),
        (200, 16, 2, 14),
        (200, 16, 1, 13),
        (5, 1, 2, 5),
    ],
)
def test_batches_come_in_full_waves_of_workers(total, size, workers, expected) -> None:
    count = batch_count(total, size, workers)
    assert count == expected
    if count:
        assert -(-total // count) <= size


def test_batches_cover_every_entry_exactly_once() -> None:
    entries = list(range(41))
    count = batch_count(41, 16, 2)
    slices = [batch_slice(entries, n, count) for n in range(count)]
    assert sorted(x for s in slices for x in s) == entries
    assert max(map(len, slices)) - min(map(len, slices)) <= 1


def test_cached_and_unreadable_documents_share_one_batch_and_the_rest_is_balanced(store) -> None:
    notes = [
        _entry(store, f"customers/a/note-{n}.txt", f"visit note {n}".encode()) for n in range(10)
    ]
    extract_entries(notes[:4], store)  # these four are now in the cache
    pages = [
        _entry(store, f"customers/a/page-{n}.png", f"page {n}".encode(), "image/png")
        for n in range(6)
    ]
    missing = _entry(store, "customers/a/gone.txt", None)
    entries = [*notes, missing, *pages]

    plan = plan_batches(entries, store, max_batch_size=2, workers=2)

    assert plan.ready == (0, 1, 2, 3, 10)  # no extraction needed: no batch step
    extracting = plan.batches
    assert sorted(p for b in extracting for p in b) == [4, 5, 6, 7, 8, 9, *range(11, 17)]
    assert len(extracting) == 4  # 6 pages (+6 cheap notes) in batches of 2 pages, full waves
    assert sorted(sum(p >= 11 for p in b) for b in extracting) == [1, 1, 2, 2]


def test_text_notes_are_cheap_and_share_a_batch(store) -> None:
    notes = [
        _entry(store, f"customers/a/note-{n}.txt", f"visit note {n}".encode()) for n in range(300)
    ]
    assert len(plan_batches(notes, store, max_batch_size=16, workers=2).batches) == 1
    big = _entry(store, "customers/a/big.txt", b"word " * 8_000_000)  # 40 MB: two pages' worth
    assert extraction_cost(big) > 1.9


def test_a_pdf_costs_its_likely_scanned_pages(store) -> None:
    letter = _entry(
        store, "customers/a/letter.pdf", b"%PDF-1.7\n" + b" " * 20_000, "application/pdf"
    )
    fax = _entry(store, "customers/a/fax.pdf", b"%PDF-1.7\n" + b" " * 3_000_000, "application/pdf")
    assert extraction_cost(letter) < 0.25  # a text-layer letter: nearly free
    assert 25 < extraction_cost(fax) < 35  # ~30 scanned pages' worth of bytes
    notes = [_entry(store, f"customers/a/note-{n}.txt", b"visit note") for n in range(4)]
    batches = plan_batches([fax, letter, *notes], store, max_batch_size=16, workers=2).batches
    # The fax fills one batch alone; the letter and notes share the other.
    assert sorted(batches) == [(0,), (1, 2, 3, 4, 5)]


def test_an_unchanged_week_plans_no_batch(store) -> None:
    notes = [
        _entry(store, f"customers/a/note-{n}.txt", f"visit note {n}".encode()) for n in range(40)
    ]
    extract_entries(notes, store)
    assert plan_batches(notes, store, max_batch_size=16, workers=2) == WorkPlan(
        [], tuple(range(40))
    )
    assert plan_batches([], store, max_batch_size=16, workers=2) == WorkPlan([], ())


def test_a_streamed_manifest_plans_and_extracts_as_the_list_does(store, monkeypatch) -> None:
    monkeypatch.setattr(features_module, "LOOKUP_CHUNK", 3)  # entries across chunk ends
    notes = [_entry(store, f"customers/a/n-{n}.txt", f"visit note {n}".encode()) for n in range(9)]
    extract_entries(notes[::2], store)  # read ahead: every other note is in the cache
    plan = plan_batches(notes, store, max_batch_size=16, workers=2)
    assert plan_batches(iter(notes), store, max_batch_size=16, workers=2) == plan
    assert plan.ready == (0, 2, 4, 6, 8)  # the cached ones, for the collecting step
    [to_read] = plan.batches
    held = entries_at(iter(notes), to_read)
    assert sorted(held) == list(to_read) == [1, 3, 5, 7] and len(held) < len(notes)
    read = extract_batch(to_read, held, store)
    assert [item["document_id"] for item in read] == ["n-1.txt", "n-3.txt", "n-5.txt", "n-7.txt"]
    assert extract_batch(to_read, held, store) == extract_batch(to_read, notes, store)  # cached
    looked_up = list(ready_results(iter(notes), plan.ready, store))
    assert [r.document_id for r in looked_up] == [notes[n].record.document_id for n in plan.ready]
    assert all(r.cached and r.features["words"] for r in looked_up)


# --- pages as the unit of work ---------------------------------------------------------


def _scanned_pdf(pages: int) -> bytes:
    from report_pipeline.tooling import samples
    from report_pipeline_tests.extraction.pdf_files import scanned_pdf

    images = [
        Image.open(io.BytesIO(samples.scanned_page_png(samples.page_text(n, words=12), width=600)))
        for n in range(pages)
    ]
    return scanned_pdf(*images, dpi=100)


def _listed(store, key: str, data: bytes, content_type: str = "application/pdf"):
    """A manifest entry as the manifest step writes it (hash, kind, pages looked at)."""
    store.put(key, data)
    record = DocumentRecord(key.rsplit("/", 1)[-1], key, content_type, AT, len(data))
    return inspect_object(store, record)


def _run(batches, entries, store):
    """What the Dagster steps do: each batch extracted, then joined and cached."""
    results, joined = join_results([extract_batch(batch, entries, store) for batch in batches])
    cache_joined(store, joined)
    return results


def test_page_ranges_are_compact_and_split_by_cost() -> None:
    assert page_ranges([0, 1, 2, 5, 7, 8]) == [[0, 3], [5, 6], [7, 9]]
    assert split_pages([1.0] * 10, 3) == [(0, 4), (4, 7), (7, 10)]
    # Text-layer pages cost next to nothing: the cut follows the scanned pages.
    costs = [0.005] * 6 + [1.0] * 4
    assert split_pages(costs, 2) == [(0, 8), (8, 10)]
    assert split_pages([1.0, 1.0], 5) == [(0, 1), (1, 2)]


def test_the_manifest_notes_a_pdfs_scanned_pages_and_plans_by_them(store) -> None:
    long_scan = _listed(store, "customers/a/fax.pdf", _scanned_pdf(24))
    assert (long_scan.kind, long_scan.pages, long_scan.scanned) == ("pdf", 24, [[0, 24]])
    assert extraction_cost(long_scan) == 24
    notes = [_listed(store, f"customers/a/n{n}.txt", b"visit note", "text/plain") for n in range(3)]
    batches = plan_batches([long_scan, *notes], store, max_batch_size=4, workers=2).batches
    parts = sorted(item for batch in batches for item in batch if isinstance(item, tuple))
    # 24 pages, batches of 4 pages in full waves of 2 workers: the fax is cut in page ranges.
    assert parts == [(0, n, n + 4) for n in range(0, 24, 4)]  # 6 ranges of 4 pages
    assert all(sum(isinstance(i, tuple) for i in b) <= 1 for b in batches)  # one per batch
    assert sorted(i for b in batches for i in b if isinstance(i, int)) == [1, 2, 3]


def test_a_short_document_is_not_split(store) -> None:
    scan = _listed(store, "customers/a/fax.pdf", _scanned_pdf(6))
    assert plan_batches([scan], store, max_batch_size=4, workers=2).batches == [(0,)]


@pytest.mark.slow
def test_a_scanned_pdf_split_across_batches_gives_the_features_of_the_whole(tmp_path) -> None:
    data = _scanned_pdf(8)  # real OCR: every page different
    split_store, whole_store = LocalObjectStore(tmp_path / "a"), LocalObjectStore(tmp_path / "b")
    entry = _listed(split_store, "customers/a/fax.pdf", data)
    _listed(whole_store, "customers/a/fax.pdf", data)
    batches = plan_batches([entry], split_store, max_batch_size=2, workers=2).batches
    assert sorted(i for b in batches for i in b) == [(0, 0, 4), (0, 4, 8)]

    [split] = _run(batches, [entry], split_store)
    whole = extract_entry(entry, whole_store)

    comparable = lambda r: {**r.to_json(), "seconds": 0}  # noqa: E731
    assert comparable(split) == comparable(whole)
    assert (split.features["pages"], split.features["pages_ocr"]) == (8, 8)
    assert split.features["words"] > 50 and split.features["ocr_confidence"] > 50
    # The joined features are stored under the whole document's key.
    assert extract_entry(entry, split_store).cached


def _cache_keys(store):
    root = store.root / "features" / "cache"
    return [str(p.relative_to(store.root)) for p in root.rglob("*.json")]


def test_page_ranges_are_cached_and_a_failed_page_is_recorded(store, monkeypatch) -> None:
    from report_pipeline_tests.extraction.test_pdf import four_page_pdf

    _fake_ocr(monkeypatch)
    entry = _listed(store, "customers/a/mixed.pdf", four_page_pdf())
    assert (entry.pages, entry.scanned) == (4, [[1, 3]])
    batches = [((0, 0, 2),), ((0, 2, 4),)]
    [result] = _run(batches, [entry], store)
    assert result.status == "ok" and result.document_id == "mixed.pdf"
    assert [page["page"] for page in result.features["pages_failed"]] == [3]
    joined = dict(result.features)
    assert joined.pop("document_type")["version"]  # classified once joined, not per part
    assert joined == extract(four_page_pdf(), "application/pdf", "mixed.pdf")[1]
    part_keys = sorted(k for k in _cache_keys(store) if ".pages-" in k)
    assert [k.rsplit(".pages-", 1)[1] for k in part_keys] == ["1-2.json", "3-4.json"]
    again = extract_batch(batches[1], [entry], store)
    assert again[0]["cached"] and again[0]["part"] == [2, 4]
    # The whole document is now cached: a re-plan needs no extraction.
    assert plan_batches([entry], store, max_batch_size=1, workers=2) == WorkPlan([], (0,))
    assert not needs_extraction(entry, store)


def test_a_part_that_cannot_be_read_fails_the_document_with_its_reason(store, monkeypatch) -> None:
    from report_pipeline_tests.extraction.test_pdf import four_page_pdf

    _fake_ocr(monkeypatch)
    entry = _listed(store, "customers/a/mixed.pdf", four_page_pdf())
    first = extract_batch(((0, 0, 2),), [entry], store)
    store.put("customers/a/mixed.pdf", b"%PDF-1.4 replaced")  # changed after the manifest
    second = extract_batch(((0, 2, 4),), [entry], store)
    [result], _ = join_results([first, second])
    assert (result.status, result.stage, result.error_class) == ("failed", "read", "ObjectChanged")
    assert result.reason == "object changed after the manifest was written"


def _fake_ocr(monkeypatch) -> None:
    from report_pipeline.extraction import ocr

    class FakeEngine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            return {
                "text": ["Mild", "rash"],
                "conf": [90, 70],
                "block_num": [1, 1],
                "par_num": [1, 1],
                "line_num": [1, 1],
            }

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", FakeEngine)


def test_the_cache_key_follows_the_content_not_the_label(store) -> None:
    scan = _scanned_pdf(1)
    right = _listed(store, "customers/a/scan.pdf", scan)
    wrong = _listed(store, "customers/a/scan.txt", scan, "text/plain")
    unlabelled = _listed(store, "customers/a/scan", scan, "application/octet-stream")
    assert wrong.kind == unlabelled.kind == "pdf"
    assert cache_key_for(right) == cache_key_for(wrong) == cache_key_for(unlabelled)
    note = _listed(store, "customers/a/notes", b"plain words, no extension", "")
    assert cache_key_for(note).startswith("features/cache/text-text-1/")


def test_a_new_taxonomy_reclassifies_cached_features_without_extracting(
    store, monkeypatch, tmp_path
) -> None:
    entry = _entry(store, "customers/a/inv.txt", b"INVOICE\nInvoice number 7\nAmount due: 10 EUR")
    first = extract_entry(entry, store)
    assert first.features["document_type"]["type"] == "invoice_administrative"
    taxonomy = tmp_path / "types.toml"
    taxonomy.write_text('[types.billing]\nphrases = { "amount due" = 5 }\n')
    monkeypatch.setattr(
        "report_pipeline.pipeline.features.extract_file",
        lambda *a, **k: pytest.fail("re-extracted"),
    )
    again = extract_entry(entry, store, taxonomy_path=str(taxonomy))
    assert again.cached and again.features["document_type"]["type"] == "billing"
    later = extract_entry(entry, store, taxonomy_path=str(taxonomy))
    assert later.features["document_type"]["type"] == "billing"


class _Threads:
    """A store that says how many of its requests are worth running at once."""

    def __init__(self, request_threads: int) -> None:
        self.request_threads = request_threads


@pytest.mark.parametrize("threads", [1, 16])
def test_lookups_come_back_in_order_in_one_thread_or_many(threads) -> None:
    items = list(range(LOOKUP_CHUNK * 2 + 5))  # crosses chunk boundaries
    looked_up = list(_looked_up(_Threads(threads), lambda n: n * n, iter(items)))
    assert looked_up == [(n, n * n) for n in items]


def test_a_local_store_looks_up_in_one_thread_and_s3_in_sixteen() -> None:
    assert (LocalObjectStore.request_threads, S3ObjectStore.request_threads) == (1, 16)
