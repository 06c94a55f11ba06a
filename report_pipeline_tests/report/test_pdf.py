import io
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from report_pipeline.report import render_weekly_report
from report_pipeline_tests.report.factories import (
    GENERATED_AT,
    WEEK,
    entry,
    failed,
    image_ok,
    text_ok,
)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def small_week():
    entries = [
        entry("doc-1", "acme", "text/plain"),
        entry("doc-2", "acme", "image/png"),
        entry("doc-3", "Klinik Müller–Zürich", "application/pdf"),
        entry("doc-4", "acme"),
    ]
    results = [
        text_ok("doc-1", words=120, terms=[["placebo", 7]]),
        image_ok("doc-2", confidence=81.5, words=30, terms=[["dosage", 3]]),
        failed("doc-3", "decode", "PDF header missing — file truncated at byte 812"),
    ]
    return render_weekly_report(WEEK, entries, results, GENERATED_AT)


@pytest.fixture(scope="module")
def small_text(small_week):
    return pdf_text(small_week.pdf)


def test_pdf_has_several_pages_and_numbered_footers(small_week, small_text):
    reader = PdfReader(io.BytesIO(small_week.pdf))
    assert small_week.page_count > 1
    assert len(reader.pages) == small_week.page_count
    assert f"Page 1 of {small_week.page_count}" in small_text
    assert f"Page {small_week.page_count} of {small_week.page_count}" in small_text


def test_cover_shows_week_range_generation_time_and_counts(small_week):
    cover = " ".join(PdfReader(io.BytesIO(small_week.pdf)).pages[0].extract_text().split())
    assert "Weekly document report" in cover
    assert "Week of 2024-03-04" in cover
    assert "2024-03-10" in cover
    assert "Generated 2024-03-11 06:30:00 UTC" in cover
    assert "Documents received 4" in cover
    assert "Failed 2" in cover
    assert "Need review 0" in cover


def test_summary_and_customer_sections(small_text):
    assert "Mean OCR confidence (images, 0-100) 81.5" in small_text
    assert "Words (processed documents) 150" in small_text
    assert "acme 3 2 1 150 81.5" in small_text  # customer table row
    # Terms are shown only through the de-identification allow-list (issue 13).
    assert "Top terms in" not in small_text  # issue 27: no raw terms line in `all`
    assert "Klinik Müller–Zürich" in small_text


def test_appendix_lists_every_failed_document(small_text):
    appendix = small_text.split("Failed documents by id", 1)[1]
    assert "doc-3" in appendix and "decode" in appendix
    assert "PDF header missing — file truncated at byte [redacted]" in appendix
    assert "doc-3.bin" not in small_text  # listed by id, never by file name
    assert "doc-4" in appendix and "no result" in appendix


def test_no_failures_says_so():
    report = render_weekly_report(WEEK, [entry("a")], [text_ok("a")], GENERATED_AT)
    assert "No documents failed this week." in pdf_text(report.pdf)


def test_empty_week_renders():
    report = render_weekly_report(WEEK, [], [], GENERATED_AT)
    text = pdf_text(report.pdf)

    assert report.page_count > 1
    assert report.summary["documents_total"] == 0
    assert "Week of 2024-03-04" in text and "Documents received 0" in text
    assert "No documents failed this week." in text
    assert "(no documents)" in report.markdown


def test_long_reason_is_wrapped_not_cut():
    reason = "step " * 55 + "final words"
    report = render_weekly_report(WEEK, [entry("a")], [failed("a", "ocr", reason)], GENERATED_AT)
    assert "final words" in pdf_text(report.pdf)


def test_characters_missing_from_the_font_are_spelled_out():
    report = render_weekly_report(WEEK, [entry("a", "東京")], [text_ok("a")], GENERATED_AT)
    assert "[U+6771][U+4EAC]" in pdf_text(report.pdf)


def test_same_inputs_and_time_give_identical_bytes():
    args = (WEEK, [entry("a"), entry("b")], [text_ok("a"), failed("b")])
    first = render_weekly_report(*args, GENERATED_AT).pdf
    assert render_weekly_report(*args, GENERATED_AT).pdf == first
    assert render_weekly_report(*args, GENERATED_AT + timedelta(hours=1)).pdf != first


def test_generation_time_is_shown_and_stored_in_utc():
    paris = datetime(2024, 3, 11, 8, 30, tzinfo=timezone(timedelta(hours=2)))
    report = render_weekly_report(WEEK, [], [], paris)
    reader = PdfReader(io.BytesIO(report.pdf))

    assert "Generated 2024-03-11 06:30:00 UTC" in pdf_text(report.pdf)
    assert reader.metadata.creation_date == GENERATED_AT


def test_markdown_summary(small_week):
    md = small_week.markdown
    assert "| Documents | 4 |" in md
    assert "| Failed | 2 |" in md
    assert "| acme | 3 | 1 |" in md
    assert "| Klinik Müller–Zürich | 1 | 1 |" in md


def test_markdown_escapes_pipes_and_stays_short():
    entries = [entry(f"d{i}", f"c{i:02d}") for i in range(30)] + [entry("x", "a|b")]
    md = render_weekly_report(WEEK, entries, [], GENERATED_AT).markdown
    assert "a\\|b" in md
    assert "and 6 more (see PDF)" in md


def test_stored_text_that_looks_like_the_page_alias_is_printed_as_is():
    report = render_weekly_report(
        WEEK, [entry("a", "team-{nb}")], [failed("a", "read", "missing {nb}")], GENERATED_AT
    )
    text = pdf_text(report.pdf)
    assert "team-{nb}" in text and "missing {nb}" in text


def test_the_pdf_is_tagged_with_its_language_alt_texts_and_bookmarks(small_week):
    reader = PdfReader(io.BytesIO(small_week.pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"  # screen readers pick the voice from it
    assert root["/MarkInfo"]["/Marked"]
    figures = [kid.get_object() for kid in root["/StructTreeRoot"]["/K"][0].get_object()["/K"]]
    alts = [figure["/Alt"] for figure in figures if figure.get("/S") == "/Figure"]
    assert len(alts) == 6 and all(alts)  # every chart carries a description
    assert any("documents per day" in alt.lower() for alt in alts)
    titles = [item["/Title"] for item in reader.outline]
    assert titles[:4] == [
        "This week by document type",
        "Trends: the last 12 weeks",
        "Needs review",
        "Failed documents",
    ]
