"""Scans as they arrive: turned, skewed, faxed, photos without text, other languages.

Pages are real: rendered from PDFs Debian ships (bzip2-doc, libtasn1-doc, ...) with
pdftoppm, their text layer is the ground truth (see real_pages.py).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from report_pipeline.extraction import extract, languages, ocr, scan
from report_pipeline.models import DocumentError, DocumentRecord, ManifestEntry
from report_pipeline.pipeline.features import extract_entry, extractor_version_for
from report_pipeline.storage.object_store import LocalObjectStore, sha256_of
from report_pipeline.tooling import samples
from report_pipeline_tests.extraction import real_pages as rp

slow = pytest.mark.slow  # runs tesseract
needs_corpus = pytest.mark.skipif(
    not (rp.tools_present() and rp.available_pdfs()),
    reason="needs poppler-utils and Debian doc PDFs (make bench-corpus)",
)


@pytest.fixture(scope="module")
def real_page(tmp_path_factory) -> tuple[Path, int, str]:
    """One prose page of a Debian-shipped manual: (pdf, page number, its text layer)."""
    [chosen] = rp.text_pages(1, workdir=tmp_path_factory.mktemp("pdfs"))
    return chosen


def read(image: Image.Image, **options) -> dict:
    data, suffix = rp.file_bytes(image)
    return extract(
        data, "image/tiff" if suffix == ".tif" else "image/png", "scan" + suffix, **options
    )[1]


@pytest.fixture
def no_ocr(monkeypatch):
    """Fails the test if any OCR pass runs."""

    class Engine:
        name = "forbidden"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            pytest.fail("OCR ran on an image without text")

        def orientation(self, image):
            pytest.fail("OSD ran on an image without text")

    monkeypatch.setattr(ocr, "default_engine", Engine)


@pytest.fixture
def fake_ocr(monkeypatch):
    calls: list[str] = []

    class Engine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            calls.append(lang)
            return {
                "text": ["Dosage"],
                "conf": [90],
                "block_num": [1],
                "par_num": [1],
                "line_num": [1],
            }

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", Engine)
    return calls


# --- geometry, without tesseract ---------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("degrees", [-8, -5, 3, 5])
def test_skew_is_measured_on_a_real_page(real_page, degrees: int) -> None:
    pdf, page, _ = real_page
    tilted = rp.render(pdf, page, 150).rotate(degrees, expand=True, fillcolor=255)
    geometry = scan.analyse(tilted)
    assert geometry.skew == pytest.approx(-degrees, abs=0.3)  # the turn that straightens it
    assert not geometry.sideways and scan.likely_text(geometry)


@needs_corpus
@pytest.mark.parametrize("degrees", [90, 270])
def test_a_sideways_page_is_recognised(real_page, degrees: int) -> None:
    pdf, page, _ = real_page
    assert scan.analyse(rp.render(pdf, page, 150).rotate(degrees, expand=True)).sideways


def matplotlib_photo() -> Image.Image:
    import matplotlib

    path = Path(matplotlib.__file__).parent / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    return Image.open(path)


@pytest.mark.parametrize("photo", ["portrait", "portrait-12mp", "demo"])
def test_a_photo_without_text_is_no_text_found_without_ocr(photo: str, no_ocr) -> None:
    image = {
        "portrait": matplotlib_photo,
        "demo": lambda: Image.open(io.BytesIO(samples.photo_jpeg(seed=1))),
        "portrait-12mp": lambda: matplotlib_photo().resize((3024, 4032)),
    }[photo]()
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85)
    _, features = extract(buffer.getvalue(), "image/jpeg", "photo.jpg")
    assert features["no_text_found"] is True
    assert (features["word_count"], features["pages_no_text"], features["ocr_text"]) == (0, 1, "")
    assert features["ocr_confidence"] is None


def test_a_blank_page_is_no_text_found_without_ocr(no_ocr) -> None:
    _, features = extract(rp.png_bytes(Image.new("L", (1700, 2200), 250)), "image/png", "b.png")
    assert features["no_text_found"] and features["pages_no_text"] == 1


def test_a_page_with_words_is_not_no_text_found(fake_ocr) -> None:
    _, features = extract(samples.scanned_page_png("Dosage 5 mg daily"), "image/png", "s.png")
    assert features["no_text_found"] is False and fake_ocr == ["eng"]


def test_a_200_frame_fax_is_read_up_to_the_cap_and_says_so(fake_ocr) -> None:
    frame = Image.open(io.BytesIO(samples.scanned_page_png("Referral letter", width=400)))
    frames = [frame.convert("1") for _ in range(200)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", compression="group4", save_all=True, append_images=frames[1:])
    _, features = extract(buffer.getvalue(), "image/tiff", "fax.tif")
    assert len(fake_ocr) == features["frames"] == ocr.MAX_FRAMES
    assert features["frames_total"] == 200
    assert features["frames_note"] == f"read the first {ocr.MAX_FRAMES} of 200 frames"


def test_a_standard_mode_fax_is_stretched_to_square_pixels(fake_ocr, monkeypatch) -> None:
    seen = []
    # The 1-bit page reaches tesseract as it is (never thresholded again), only squared.
    monkeypatch.setattr(ocr, "_prepared", lambda gray, path: seen.append(gray.size) or gray)
    fax = Image.new("1", (1728, 1100), 1)
    words = Image.open(io.BytesIO(samples.scanned_page_png("Dosage 5 mg", width=1600)))
    fax.paste(words.convert("1"), (40, 400))
    buffer = io.BytesIO()
    fax.save(buffer, "TIFF", compression="group4", dpi=(204, 98))
    extract(buffer.getvalue(), "image/tiff", "fax.tif")
    # Each row repeated twice: 204 x 196 dpi, square as a fine fax is.
    assert seen[0] == (1728, 2200)


# --- languages ------------------------------------------------------------------


def test_languages_come_from_the_record_then_the_default(monkeypatch) -> None:
    installed = frozenset({"eng", "deu", "fra"})
    monkeypatch.delenv("REPORT_PIPELINE_OCR_LANGUAGES", raising=False)
    assert languages.resolve(None, installed) == "eng"
    assert languages.resolve("de", installed) == "deu"
    assert languages.resolve("deu+en", installed) == "deu+eng"
    monkeypatch.setenv("REPORT_PIPELINE_OCR_LANGUAGES", "eng+fra")
    assert languages.resolve(None, installed) == "eng+fra"
    assert languages.resolve("", installed) == "eng+fra"


def test_an_uninstalled_language_names_the_package(monkeypatch) -> None:
    with pytest.raises(DocumentError) as info:
        languages.resolve("eng+kor", frozenset({"eng"}))
    assert (info.value.stage, info.value.error_class) == ("ocr", "OcrLanguageMissing")
    assert "OCR language kor is not installed (install tesseract-ocr-kor" in info.value.reason
    with pytest.raises(DocumentError, match="unknown OCR language 'english!'"):
        languages.resolve("english!", frozenset({"eng"}))


def test_the_documents_language_reaches_the_engine(fake_ocr, monkeypatch) -> None:
    monkeypatch.setattr(languages, "installed_languages", lambda: frozenset({"eng", "deu"}))
    png = samples.scanned_page_png("Dosierung 5 mg")
    _, features = extract(png, "image/png", "s.png", language="de")
    assert fake_ocr == ["deu"] and features["ocr_languages"] == "deu"


def entry_for(store: LocalObjectStore, data: bytes, language: str | None) -> ManifestEntry:
    store.put("acme/scan.png", data)
    record = DocumentRecord(
        "doc-1",
        "acme/scan.png",
        "image/png",
        datetime(2024, 3, 5, tzinfo=UTC),
        len(data),
        language=language,
    )
    return ManifestEntry(record, sha256_of(store, "acme/scan.png"))


def test_a_missing_language_is_a_dead_letter_with_its_reason(tmp_path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    result = extract_entry(entry_for(store, samples.scanned_page_png("Visit"), "kor"), store)
    assert (result.status, result.stage, result.error_class) == (
        "failed",
        "ocr",
        "OcrLanguageMissing",
    )
    assert "tesseract-ocr-kor" in result.reason


def test_the_same_bytes_in_another_language_are_cached_apart(tmp_path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    data = samples.scanned_page_png("Visit")
    assert extractor_version_for(entry_for(store, data, None)) == "image-ocr-6"
    assert extractor_version_for(entry_for(store, data, "en")) == "image-ocr-6"
    assert extractor_version_for(entry_for(store, data, "de")) == "image-ocr-6-deu"


# --- real pages through tesseract ----------------------------------------------------


@pytest.fixture(scope="module")
def upright_recall(real_page) -> float:
    pdf, page, truth = real_page
    return rp.recall(truth, read(rp.degraded(pdf, page, "200dpi"))["ocr_text"])


@slow
@needs_corpus
def test_a_real_page_at_200_dpi_reads_well(upright_recall: float) -> None:
    assert upright_recall >= 0.97


@slow
@needs_corpus
@pytest.mark.parametrize("name", ["rot-90", "rot-180", "rot-270", "skew-5", "skew-8"])
def test_turned_and_skewed_pages_read_as_well_as_upright(real_page, upright_recall, name) -> None:
    pdf, page, truth = real_page
    features = read(rp.degraded(pdf, page, name))
    assert rp.recall(truth, features["ocr_text"]) >= 0.95 * upright_recall
    if name.startswith("rot"):
        assert features["pages_rotated"] == 1
    else:
        assert features["pages_deskewed"] == 1


@slow
@needs_corpus
def test_a_fine_fax_of_a_real_page_reads_well(real_page) -> None:
    pdf, page, truth = real_page
    assert rp.recall(truth, read(rp.degraded(pdf, page, "fax-fine"))["ocr_text"]) >= 0.95


@slow
@needs_corpus
@pytest.mark.skipif("deu" not in languages.installed_languages(), reason="tesseract-ocr-deu")
def test_a_second_installed_language_is_used(real_page) -> None:
    pdf, page, truth = real_page
    features = read(rp.degraded(pdf, page, "200dpi"), language="eng+deu")
    assert features["ocr_languages"] == "eng+deu"
    assert rp.recall(truth, features["ocr_text"]) >= 0.95


def test_a_scanned_pdf_page_is_read_in_the_documents_language(fake_ocr, monkeypatch) -> None:
    from report_pipeline_tests.extraction.pdf_files import scanned_pdf

    monkeypatch.setattr(languages, "installed_languages", lambda: frozenset({"eng", "deu"}))
    page = Image.open(io.BytesIO(samples.scanned_page_png("Dosierung 5 mg", width=800)))
    kind, features = extract(scanned_pdf(page, dpi=100), "application/pdf", "x.pdf", language="de")
    assert (kind, features["pages_ocr"], fake_ocr) == ("pdf", 1, ["deu"])


def test_a_pdf_in_another_language_is_cached_apart(tmp_path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    store.put("acme/letter.pdf", b"%PDF-1.4")
    record = DocumentRecord(
        "doc-1",
        "acme/letter.pdf",
        "application/pdf",
        datetime(2024, 3, 5, tzinfo=UTC),
        8,
        language="fr",
    )
    entry = ManifestEntry(record, sha256_of(store, "acme/letter.pdf"))
    assert extractor_version_for(entry) == "pdf-pdf-5-fra"


# --- preprocessing chosen per page (page_path.py), on real pages ------------------


@slow
@needs_corpus
@pytest.mark.parametrize(
    ("name", "dpi", "degrade", "floor"),
    [
        ("clean, untouched", 300, lambda im: im, 0.99),
        ("phone photo, flattened", 200, rp.phone_photo, 0.90),
        ("fine fax, 1-bit softened", 200, lambda im: rp.fax_204(im, 196), 0.95),
        ("standard fax, squared and softened", 200, lambda im: rp.fax_204(im, 98), 0.90),
        ("100 dpi, small text enlarged", 100, lambda im: im, 0.95),
    ],
)
def test_each_preprocessing_path_reads_a_real_page(real_page, name, dpi, degrade, floor) -> None:
    pdf, page, truth = real_page
    image = degrade(rp.render(pdf, page, dpi))
    features = read(image)
    assert rp.recall(truth, features["ocr_text"]) >= floor, name


@slow
@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket", "camera", "cat"])
def test_scikit_image_photos_without_text_are_no_text_found(name: str) -> None:
    skimage_data = pytest.importorskip("skimage.data")
    features = read(Image.fromarray(getattr(skimage_data, name)()))
    assert features["no_text_found"] is True
    assert features["ocr_text"] == ""


def test_a_handful_of_low_confidence_fragments_is_no_text(monkeypatch) -> None:
    class Engine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            return {
                "text": ["ii", "Wv", "3a"],
                "conf": [25, 34, 30],
                "block_num": [1, 1, 1],
                "par_num": [1, 1, 1],
                "line_num": [1, 1, 2],
            }

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", lambda: Engine())
    page = Image.open(io.BytesIO(samples.scanned_page_png("Dosage 5 mg", width=800)))
    features = read(page)
    assert features["no_text_found"] is True
    assert features["word_count"] == 0
