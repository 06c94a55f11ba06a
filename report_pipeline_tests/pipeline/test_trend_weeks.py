"""Three published weeks in a row: the third report has trend, review and failure sections."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
from pypdf import PdfReader

from report_pipeline.pipeline.keys import report_manifest_key, report_summary_key
from report_pipeline.pipeline.publish import publish_report, read_history
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.report.factories import (
    MONDAY_NOON,
    WEEK,
    entry,
    failed,
    image_ok,
    synthetic_week,
    text_ok,
)

WEEKS = [WEEK, WEEK + timedelta(weeks=1), WEEK + timedelta(weeks=2)]
MAX_BLANK = 0.85
BAND_MM = 2.0


def _week(number: int):
    """Week ``number`` (0, 1, 2): growing counts, one low-confidence scan, one photo, failures."""
    created = MONDAY_NOON + timedelta(weeks=number)
    ids = [f"w{number}-note-{i}" for i in range(3 + number)]
    entries = [entry(doc, created_at=created) for doc in ids]
    results = [text_ok(doc) for doc in ids]
    entries += [
        entry(f"w{number}-scan", content_type="image/png", created_at=created),
        entry(f"w{number}-photo", content_type="image/jpeg", created_at=created),
        entry(f"w{number}-cut", content_type="image/png", created_at=created),
        entry(f"w{number}-locked", "globex", "application/pdf", created_at=created),
    ]
    results += [
        image_ok(f"w{number}-scan", 41.0),
        image_ok(f"w{number}-photo", None, 0),
        failed(f"w{number}-cut", "decode", "corrupt image: image file is truncated"),
        failed(f"w{number}-locked", "decode", "PDF is encrypted (password required)"),
    ]
    return entries, results


@pytest.fixture(scope="module")
def third_week(tmp_path_factory):
    store = LocalObjectStore(tmp_path_factory.mktemp("objects"))
    published = []
    for number, week in enumerate(WEEKS):
        entries, results = _week(number)
        generated = datetime.combine(week + timedelta(days=7), datetime.min.time(), UTC)
        published.append(publish_report(store, week, entries, results, generated))
    return store, published[-1], store.get(published[-1].pdf_key)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_trend_table_lists_the_previous_weeks_by_date(third_week) -> None:
    _, _, pdf = third_week
    text = _text(pdf)
    trends = text.split("Trends: the last 12 weeks", 1)[1]
    # Each week's row: its dates, documents, failed, failed share, need review, mean OCR.
    assert "2024-03-04 to 2024-03-10 7 2 28.6% 2 41.0" in trends
    assert "2024-03-11 to 2024-03-17 8 2 25.0% 2 41.0" in trends
    assert "2024-03-18 to 2024-03-24 9 2" in trends
    # Earlier weeks were never published: a dash, not a zero.
    assert "2024-02-26 to 2024-03-03 - - - - -" in trends


def test_the_cover_compares_with_the_previous_week(third_week) -> None:
    _, _, pdf = third_week
    cover = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Documents received 9" in cover and "up 1 from 8 last week" in cover
    assert "Failed 2" in cover and "same as last week (2)" in cover
    assert "Compared with the week of 2024-03-11." in cover


def test_the_cover_says_when_last_week_has_no_report(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    first = publish_report(store, WEEKS[0], *_week(0))
    page = PdfReader(io.BytesIO(store.get(first.pdf_key))).pages[0]
    cover = " ".join(page.extract_text().split())
    assert f"No report was published for the week of {WEEKS[0] - timedelta(weeks=1)}." in cover
    assert "no earlier week to compare with" in cover and "Compared with" not in cover


def test_needs_review_lists_ids_with_reasons_never_file_names(third_week) -> None:
    _, published, pdf = third_week
    review = _text(pdf).split("Needs review", 1)[1].split("Failed documents", 1)[0]
    assert "w2-scan" in review and "low OCR confidence (41 < 60)" in review
    assert "w2-photo" in review and "no text found in image" in review
    assert "report-pipeline documents show ID" in review
    assert ".bin" not in _text(pdf)  # object keys (file names) never appear
    assert published.summary["needs_review"] == 2


def test_failures_are_explained_in_plain_language(third_week) -> None:
    _, _, pdf = third_week
    failures = _text(pdf).split("Failed documents", 1)[1]
    assert "The file is cut short: 1 document(s)" in failures
    assert "Next: Ask the sender to upload it again." in failures
    assert "Password-protected file: 1 document(s)" in failures
    assert "Next: Ask the sender for a copy without a password." in failures
    by_id = failures.split("Failed documents by id", 1)[1]
    assert "w2-cut" in by_id and "w2-locked" in by_id


def test_each_week_publishes_a_small_summary_that_later_weeks_read(third_week) -> None:
    store, _, _ = third_week
    summary = json.loads(store.get(report_summary_key(WEEKS[0])))
    assert summary["summary"]["documents_total"] == 7
    assert len(store.get(report_summary_key(WEEKS[0]))) < 2000
    history = read_history(store, WEEKS[2] + timedelta(weeks=1))
    assert sorted(history) == WEEKS


def test_a_week_published_before_the_summary_file_is_read_from_its_manifest(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    store.put(
        report_manifest_key(WEEK),
        json.dumps({"summary": {"documents_total": 5, "documents_failed": 1}}).encode(),
    )
    store.put(report_summary_key(WEEKS[1]), b"{not json")  # damaged: a gap, not a crash
    history = read_history(store, WEEKS[2])
    assert history == {WEEK: {"documents_total": 5, "documents_failed": 1}}


def blank_share(pdf: bytes, page_index: int) -> float:
    """Share of the page's body (inside margins, above the footer) without ink, in 2 mm bands."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[page_index]
        image = page.render(scale=60 / 72).to_pil().convert("L")  # 60 dpi is enough for ink
    finally:
        document.close()
    px_per_mm = image.height / 297.0
    top, bottom = int(15 * px_per_mm), int((297 - 22) * px_per_mm)  # margins, footer out
    left, right = int(15 * px_per_mm), int((210 - 15) * px_per_mm)
    band = max(int(BAND_MM * px_per_mm), 1)
    pixels = image.load()
    bands = range(top, bottom, band)
    inked = sum(
        any(
            pixels[x, y] < 200
            for y in range(start, min(start + band, bottom))
            for x in range(left, right, 2)
        )
        for start in bands
    )
    return 1 - inked / len(bands)


@pytest.mark.parametrize("size", ["small", "large"])
def test_no_page_but_the_cover_is_mostly_blank(third_week, size) -> None:
    if size == "small":
        pdf = third_week[2]
    else:
        entries, results = synthetic_week(2_000)
        store = third_week[0]
        pdf = store.get(
            publish_report(
                store, WEEKS[2], entries, results, datetime(2024, 3, 25, tzinfo=UTC)
            ).pdf_key
        )
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    shares = {index + 1: round(blank_share(pdf, index), 2) for index in range(1, pages)}
    assert all(share <= MAX_BLANK for share in shares.values()), shares
