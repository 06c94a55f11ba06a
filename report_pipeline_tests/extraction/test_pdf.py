"""PDF documents: the text layer where there is one, OCR per scanned page, bad PDFs dead letters."""

from __future__ import annotations

import io
import os

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from report_pipeline.extraction import EXTRACTOR_VERSIONS, extract, ocr, pdf
from report_pipeline.extraction.terms import words
from report_pipeline.models import DocumentError
from report_pipeline.tooling import samples
from report_pipeline_tests.extraction.pdf_files import image_page_pdf, page_tree_bomb, scanned_pdf

SPEC_PDF = "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"  # 17 pages, text layer
NOTE = "Blood samples were sent to the laboratory for analysis"


@pytest.fixture
def fake_tesseract(monkeypatch):
    """Record the images OCR is asked to read; return one fixed line of words."""
    calls: list[tuple[int, int]] = []
    table = {
        "text": ["Mild", "rash", "noted"],
        "conf": [90, 80, 70],
        "block_num": [1] * 3,
        "par_num": [1] * 3,
        "line_num": [1] * 3,
    }

    class FakeEngine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            calls.append(image.size)
            return table

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", FakeEngine)
    return calls


def text_pdf(*pages: str) -> bytes:
    document = FPDF()
    document.set_font("helvetica", size=12)
    for text in pages:
        document.add_page()
        document.multi_cell(0, 6, text)
    return bytes(document.output())


def scan(text: str = NOTE) -> Image.Image:
    return Image.open(io.BytesIO(samples.scanned_page_png(text, width=800)))


def dead_letter(data: bytes, name: str = "letter.pdf") -> DocumentError:
    with pytest.raises(DocumentError) as info:
        extract(data, "application/pdf", name)
    assert "\n" not in info.value.reason
    return info.value


def test_text_layer_pages_are_read_without_ocr(fake_tesseract) -> None:
    kind, features = extract(open(SPEC_PDF, "rb").read(), "application/pdf", "spec.pdf")
    assert kind == "pdf" and fake_tesseract == []
    assert (features["pages"], features["pages_text_layer"], features["pages_ocr"]) == (17, 17, 0)
    assert features["pages_failed"] == [] and features["ocr_confidence"] is None
    assert features["words"] == features["word_count"] > 5000
    assert "Shared MIME-info Database" in features["excerpt"]


@pytest.mark.parametrize("scan_dpi", [100, 200, 300, 600])
def test_a_scanned_page_is_ocrd_at_300_dpi_whatever_its_own_resolution(
    fake_tesseract, scan_dpi: int
) -> None:
    # A letter-size sheet holding a few lines of text, scanned at scan_dpi.
    sheet = Image.new("L", (1700, 2200), 255)  # at 200 dpi
    for line in range(1, 6):
        sheet.paste(scan(), (200, line * 200))
    page = sheet.resize((round(8.5 * scan_dpi), 11 * scan_dpi))
    features = extract(scanned_pdf(page, dpi=scan_dpi), "application/pdf", "fax.pdf")[1]
    assert (features["pages"], features["pages_text_layer"], features["pages_ocr"]) == (1, 0, 1)
    assert fake_tesseract == [pytest.approx((8.5 * 300, 11 * 300), abs=1)]
    assert features["ocr_confidence"] == 80.0 and features["top_terms"][0] == ["mild", 1]


def test_a_mixed_document_is_handled_page_by_page(fake_tesseract) -> None:
    first = "Cardiology follow-up visit: patient stable"
    last = "Discharge letter: home on day three"
    writer = PdfWriter()
    for data in (text_pdf(first), scanned_pdf(scan()), text_pdf(last)):
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    features = extract(buffer.getvalue(), "application/pdf", "mixed.pdf")[1]
    assert (features["pages"], features["pages_text_layer"], features["pages_ocr"]) == (3, 2, 1)
    assert len(fake_tesseract) == 1
    assert features["excerpt"].split("\n") == [first, "Mild rash noted", last, ""]


def test_a_failing_page_does_not_lose_the_others(fake_tesseract) -> None:
    writer = PdfWriter()
    for data in (text_pdf(samples.page_text(1)), image_page_pdf(28346, 842)):  # 10 m wide
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    features = extract(buffer.getvalue(), "application/pdf", "two.pdf")[1]
    assert (features["pages"], features["pages_text_layer"], features["pages_ocr"]) == (2, 1, 0)
    [failed] = features["pages_failed"]
    assert (failed["page"], failed["stage"], failed["error_class"]) == (2, "decode", "PageTooLarge")
    assert failed["reason"] == (
        "page 2 is 10,000 x 297 mm: too large to OCR at a readable resolution"
    )
    assert fake_tesseract == []


# --- bad PDFs: dead letters with their reason ----------------------------------


def test_a_password_protected_pdf_is_a_dead_letter() -> None:
    writer = PdfWriter(clone_from=PdfReader(SPEC_PDF))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    error = dead_letter(buffer.getvalue())
    assert (error.stage, error.error_class) == ("decode", "EncryptedPdf")
    assert error.reason == "encrypted PDF: a password is needed to open it"


def test_a_pdf_with_only_an_owner_password_is_read(fake_tesseract) -> None:
    # Permissions-only encryption opens without a password; the text is readable.
    writer = PdfWriter(clone_from=PdfReader(SPEC_PDF))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert extract(buffer.getvalue(), "application/pdf", "locked.pdf")[1]["pages_text_layer"] == 17


def test_a_page_tree_bomb_is_refused_before_any_page_is_read(fake_tesseract) -> None:
    data = page_tree_bomb(fanout=1000, levels=2)  # a million pages in 12 KB
    assert len(data) < 20_000
    error = dead_letter(data)
    assert (error.stage, error.error_class) == ("decode", "TooManyPages")
    assert error.reason == (
        "PDF has 1,000,000 pages, over the limit of 500 (REPORT_PIPELINE_MAX_PAGES)"
    )


def test_the_page_limit_is_handed_in() -> None:
    with pytest.raises(DocumentError) as info:
        extract(open(SPEC_PDF, "rb").read(), "application/pdf", "spec.pdf", page_limit=16)
    assert info.value.reason == (
        "PDF has 17 pages, over the limit of 16 (REPORT_PIPELINE_MAX_PAGES)"
    )


def test_the_default_page_limit_is_the_settings_default(monkeypatch) -> None:
    from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
    from report_pipeline.settings import load_settings

    monkeypatch.delenv("REPORT_PIPELINE_MAX_PAGES", raising=False)
    assert load_settings().max_pages == DEFAULT_MAX_PAGES


def test_a_page_limit_that_is_not_a_positive_number_names_the_variable(monkeypatch) -> None:
    from report_pipeline.settings import SettingsError, load_settings

    monkeypatch.setenv("REPORT_PIPELINE_MAX_PAGES", "0")
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_MAX_PAGES=.*must be at least 1"):
        load_settings()


def test_a_pdf_whose_only_page_is_10_m_wide_is_a_dead_letter(fake_tesseract) -> None:
    error = dead_letter(image_page_pdf(28346, 842))
    assert (error.stage, error.error_class) == ("decode", "PageTooLarge")
    assert error.reason == "page 1 is 10,000 x 297 mm: too large to OCR at a readable resolution"
    assert fake_tesseract == []


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n" + os.urandom(2000), b"%PDF-1.4\n%%EOF\n"], ids=["garbage", "no objects"]
)
def test_a_corrupt_pdf_is_a_dead_letter(data: bytes) -> None:
    error = dead_letter(data)
    assert error.stage == "decode" and error.error_class == "CorruptPdf"
    assert error.reason.startswith("corrupt or unreadable PDF")


def test_a_truncated_pdf_is_a_dead_letter() -> None:
    whole = open(SPEC_PDF, "rb").read()
    error = dead_letter(whole[: len(whole) // 2])
    assert error.reason == (
        "corrupt or unreadable PDF: Failed to load document (PDFium: Data format error)."
    )


def test_pdf_extractor_has_a_version() -> None:
    assert EXTRACTOR_VERSIONS["pdf"] == "pdf-5"  # pdf-5: tesseract told the page's resolution


# --- with tesseract ----------------------------------------------------------


@pytest.mark.slow
def test_a_scanned_pdf_is_read_by_tesseract() -> None:
    text = samples.page_text(3)
    page = Image.open(io.BytesIO(samples.scanned_page_png(text)))
    features = extract(scanned_pdf(page, dpi=150), "application/pdf", "scan.pdf")[1]
    assert features["pages_ocr"] == 1 and features["ocr_confidence"] > 80
    found = set(words(features["excerpt"]))
    wanted = set(words(text))
    assert len(found & wanted) / len(wanted) >= 0.9


def _peak_mb(path, content_type: str = "application/pdf") -> dict:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "report_pipeline_tests.extraction.rss_child",
            str(path),
            content_type,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_scanned_pages_are_read_one_at_a_time_in_bounded_memory(tmp_path) -> None:
    page = Image.new("L", (1700, 2200), 255)  # A4 at 200 dpi: rendered at 300 dpi, 8.7 MP
    outcomes = {}
    for count in (2, 24):
        path = tmp_path / f"scan-{count}.pdf"
        path.write_bytes(scanned_pdf(*[page] * count, dpi=200))
        outcomes[count] = _peak_mb(path)
        assert outcomes[count]["features"]["pages_ocr"] == count
    grown = outcomes[24]["peak_mb"] - outcomes[2]["peak_mb"]
    print(f"peak RSS 2 pages {outcomes[2]['peak_mb']} MB, 24 pages {outcomes[24]['peak_mb']} MB")
    # Twelve times the pages, about the same memory: keeping the 22 extra rendered pages
    # (8.7 MB each) would add ~190 MB; the allocator alone varies by up to ~60 MB.
    assert grown < 100


def test_a_page_tree_bomb_is_refused_in_bounded_memory(tmp_path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(page_tree_bomb(fanout=1000, levels=2))
    outcome = _peak_mb(path)
    assert (outcome["status"], outcome["stage"]) == ("failed", "decode")
    assert outcome["peak_mb"] - outcome["baseline_mb"] < 100


def flate_bomb_pdf(inflated_mb: int) -> bytes:
    """One page whose content stream is `inflated_mb` MB of spaces, then some text."""
    import zlib

    from report_pipeline_tests.extraction.pdf_files import build_pdf

    compressor = zlib.compressobj(9)
    spaces = b" " * (1 << 20)
    stream = b"".join(compressor.compress(spaces) for _ in range(inflated_mb))
    stream += compressor.compress(b"BT /F1 12 Tf 72 712 Td (Dosage unchanged) Tj ET")
    stream += compressor.flush()
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def test_a_flate_bomb_is_refused_before_pdfium_inflates_it(tmp_path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_bomb_pdf(1024))  # 1 GB of content in a 1 MB file
    outcome = _peak_mb(path)
    assert (outcome["status"], outcome["stage"]) == ("failed", "decode")
    assert outcome["reason"].startswith("PDF stream at byte ")
    assert outcome["reason"].endswith("inflates past 128 MB (decompression bomb)")
    # pdfium would have held 2 GB; the check holds one piece at a time.
    assert outcome["peak_mb"] - outcome["baseline_mb"] < 100


def test_a_large_but_legitimate_stream_is_read() -> None:
    features = extract(flate_bomb_pdf(20), "application/pdf", "big.pdf")[1]  # 20 MB inflated
    assert (features["pages"], features["pages_text_layer"]) == (1, 1)
    assert features["excerpt"] == "Dosage unchanged\n"


def test_pages_past_the_documents_ocr_budget_are_failed_and_the_rest_kept(
    fake_tesseract, monkeypatch
) -> None:
    monkeypatch.setattr(pdf, "DOCUMENT_OCR_BASE_S", 0)
    monkeypatch.setattr(pdf, "DOCUMENT_OCR_PER_PAGE_S", 0)
    writer = PdfWriter()
    for data in (text_pdf(samples.page_text(1)), scanned_pdf(scan())):
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    features = extract(buffer.getvalue(), "application/pdf", "late.pdf")[1]
    assert (features["pages_text_layer"], features["pages_ocr"]) == (1, 0)
    assert features["pages_failed"] == [
        {
            "page": 2,
            "stage": "ocr",
            "error_class": "OcrTimeout",
            "reason": "not read: the document's OCR time budget ran out",
        }
    ]
    assert fake_tesseract == []  # nothing rendered or OCR'd past the budget


def four_page_pdf() -> bytes:
    """Text, scan, a page too large to read, text: every kind of page outcome."""
    writer = PdfWriter()
    for data in (
        text_pdf("Cardiology follow-up visit: patient stable " * 40),
        scanned_pdf(scan()),
        image_page_pdf(28346, 842),  # 10 m wide: fails
        text_pdf("Discharge letter: home on day three"),
    ):
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("ranges", [[(0, 2), (2, 4)], [(0, 1), (1, 3), (3, 4)], [(3, 4), (0, 3)]])
def test_page_ranges_merged_give_the_features_of_the_whole_document(fake_tesseract, ranges) -> None:
    data = four_page_pdf()
    whole = pdf.pdf_features(data)
    parts = [pdf.pdf_part(data, pages) for pages in ranges]
    assert pdf.merge_parts(parts) == whole
    assert (whole["pages"], whole["pages_text_layer"], whole["pages_ocr"]) == (4, 2, 1)
    assert [page["page"] for page in whole["pages_failed"]] == [3]  # recorded by its part
    assert whole["ocr_confidence"] == 80.0 and whole["top_terms"]


def test_the_excerpt_and_terms_of_long_parts_merge_exactly(fake_tesseract) -> None:
    pages = [samples.page_text(seed, words=400) for seed in range(5)]  # > 2,000 characters each
    data = text_pdf(*pages)
    whole = pdf.pdf_features(data)
    merged = pdf.merge_parts([pdf.pdf_part(data, (n, n + 1)) for n in range(5)])
    assert merged == whole and len(whole["excerpt"]) == 2000


def test_parts_whose_pages_all_failed_make_a_dead_letter(fake_tesseract) -> None:
    writer = PdfWriter()
    for _ in range(2):
        writer.append(PdfReader(io.BytesIO(image_page_pdf(28346, 842))))
    buffer = io.BytesIO()
    writer.write(buffer)
    parts = [pdf.pdf_part(buffer.getvalue(), (n, n + 1)) for n in range(2)]
    with pytest.raises(DocumentError) as info:
        pdf.merge_parts(parts)
    assert info.value.error_class == "PageTooLarge"
    assert info.value.reason.startswith("none of its 2 pages could be read; page 1: page 1 is")


def test_parts_that_miss_or_repeat_pages_are_refused(fake_tesseract) -> None:
    data = four_page_pdf()
    for ranges in ([(0, 2)], [(0, 2), (1, 4)], [(0, 2), (3, 4)]):
        with pytest.raises(ValueError, match="do not cover"):
            pdf.merge_parts([pdf.pdf_part(data, pages) for pages in ranges])


def test_inspection_finds_the_pages_that_need_ocr_without_ocr(fake_tesseract) -> None:
    assert pdf.inspect_pages(io.BytesIO(four_page_pdf())) == (4, [1, 2])
    assert fake_tesseract == []
    assert pdf.inspect_pages(io.BytesIO(b"%PDF-1.4 broken")) is None
    assert pdf.inspect_pages(io.BytesIO(page_tree_bomb())) is None
