"""Extraction over manifest entries: cache, failures as results, batch planning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline.features import (
    batch_count,
    batch_slice,
    extract_entries,
    extract_entry,
    extraction_cost,
    feature_counts,
    plan_batches,
)
from report_pipeline.storage.object_store import LocalObjectStore, sha256_of

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

    batches = plan_batches(entries, store, max_batch_size=2, workers=2)

    assert batches[-1] == (0, 1, 2, 3, 10)  # no extraction needed: one step
    extracting = batches[:-1]
    assert sorted(p for b in extracting for p in b) == [4, 5, 6, 7, 8, 9, *range(11, 17)]
    assert len(extracting) == 4  # 6 pages (+6 cheap notes) in batches of 2 pages, full waves
    assert sorted(sum(p >= 11 for p in b) for b in extracting) == [1, 1, 2, 2]


def test_text_notes_are_cheap_and_share_a_batch(store) -> None:
    notes = [
        _entry(store, f"customers/a/note-{n}.txt", f"visit note {n}".encode()) for n in range(300)
    ]
    assert len(plan_batches(notes, store, max_batch_size=16, workers=2)) == 1
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
    batches = plan_batches([fax, letter, *notes], store, max_batch_size=16, workers=2)
    # The fax fills one batch alone; the letter and notes share the other.
    assert sorted(batches) == [(0,), (1, 2, 3, 4, 5)]


def test_an_unchanged_week_plans_a_single_batch(store) -> None:
    notes = [
        _entry(store, f"customers/a/note-{n}.txt", f"visit note {n}".encode()) for n in range(40)
    ]
    extract_entries(notes, store)
    assert plan_batches(notes, store, max_batch_size=16, workers=2) == [tuple(range(40))]
    assert plan_batches([], store, max_batch_size=16, workers=2) == []
