import io
import os
import time

import numpy as np
import pytesseract
import pytest
from PIL import Image

from report_pipeline.extraction import extract, ocr
from report_pipeline.extraction.engines import CliEngine, TesserocrEngine, find_tessdata
from report_pipeline.extraction.ocr import image_features
from report_pipeline.extraction.terms import words
from report_pipeline.models import DocumentError
from report_pipeline.tooling import samples

slow = pytest.mark.slow  # runs tesseract


def recall(expected: str, ocr_text: str) -> float:
    """Share of the distinct expected words (>= 3 letters) that OCR found."""
    wanted = set(words(expected))
    return len(wanted & set(words(ocr_text))) / len(wanted)


def encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def decode_error(data: bytes) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        image_features(data)
    assert info.value.stage == "decode"
    assert "\n" not in info.value.reason
    return info.value


@pytest.fixture
def fake_tesseract(monkeypatch):
    """Replace tesseract by a recorder returning a fixed word table."""
    calls: list[dict] = []
    table = {"text": ["Mild", "|", "", "rash", "—", "5"], "conf": [90, 40, -1, 80, 30, 70]}
    table.update(block_num=[1] * 6, par_num=[1] * 6, line_num=[1, 1, 1, 1, 2, 2])

    class FakeEngine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            calls.append(
                {
                    "size": image.size,
                    "omp": os.environ.get("OMP_THREAD_LIMIT"),
                    "dpi": image.info.get("dpi"),
                }
            )
            return table

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", FakeEngine)
    return calls


def page(text: str = "Blood samples were sent to the laboratory") -> Image.Image:
    return Image.open(io.BytesIO(samples.scanned_page_png(text, width=800)))


# --- without tesseract ---------------------------------------------------------


def test_truncated_png_is_a_decode_error() -> None:
    assert "truncated" in decode_error(samples.broken_png()).reason


def test_non_image_bytes_are_a_decode_error() -> None:
    decode_error(b"just some text, not a picture")


@pytest.mark.parametrize("limit", [900, 400])  # Pillow warns above 1x, raises above 2x
def test_decompression_bomb_is_rejected(monkeypatch, limit: int) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    reason = decode_error(encode(Image.new("L", (30, 40), 255))).reason
    assert "decompression bomb" in reason


def test_pixel_limit_is_set() -> None:
    assert Image.MAX_IMAGE_PIXELS == 100_000_000


def test_noise_tokens_are_dropped_and_threading_is_limited(fake_tesseract) -> None:
    features = image_features(encode(page()))
    assert features["ocr_text"] == "Mild rash\n5"
    assert features["word_count"] == 3
    assert features["ocr_confidence"] == 80.0
    assert features["top_terms"] == [["mild", 1], ["rash", 1]]
    assert fake_tesseract[0]["omp"] == "1"


def test_small_images_are_upscaled_and_binarized(fake_tesseract) -> None:
    image_features(encode(page()))
    width, height = fake_tesseract[0]["size"]
    assert width > 800
    assert width / height == pytest.approx(800 / page().height, rel=0.01)


def _sheet(dpi: tuple[int, int] | None) -> bytes:
    """A Letter-shaped page at 150 dpi with a paragraph on it, as a PNG (``dpi`` written)."""
    sheet = Image.new("L", (1275, 1650), 255)
    sheet.paste(page(" ".join(["Blood samples were sent to the laboratory"] * 6)), (100, 100))
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG", **({"dpi": dpi} if dpi else {}))
    return buffer.getvalue()


def _told(call: dict, file_width: int) -> float:
    """The resolution tesseract was told, brought back to the file's scale."""
    return call["dpi"][1] * file_width / call["size"][0]


def test_tesseract_is_told_the_files_resolution(fake_tesseract) -> None:
    image_features(_sheet((300, 300)))
    assert _told(fake_tesseract[0], 1275) == pytest.approx(300, rel=0.01)


def test_a_sheet_without_a_resolution_is_read_as_a_whole_sheet(fake_tesseract) -> None:
    image_features(_sheet(None))
    assert _told(fake_tesseract[0], 1275) == pytest.approx(1275 / 8.4, rel=0.01)


def test_a_strip_without_a_resolution_leaves_tesseract_to_estimate(fake_tesseract) -> None:
    image_features(samples.scanned_page_png("Blood samples were sent to the laboratory"))
    assert fake_tesseract[0]["dpi"] is None


def test_a_standard_fax_is_told_its_resolution_across(fake_tesseract) -> None:
    sheet = Image.open(io.BytesIO(_sheet(None))).convert("1")
    fax = sheet.resize((sheet.width, sheet.height // 2))
    buffer = io.BytesIO()
    fax.save(buffer, "TIFF", compression="group4", dpi=(150, 75))
    image_features(buffer.getvalue())
    assert _told(fake_tesseract[0], fax.width) == pytest.approx(150, rel=0.01)


def test_a_one_bit_page_is_darkened_between_paper_and_ink() -> None:
    table = ocr._darkening_table(1.9)
    assert table[0] == 0 and table[255] == 255
    assert all(table[level] < level for level in range(1, 255))


def test_multi_frame_images_are_capped(fake_tesseract) -> None:
    frames = [page("Dosage 5 mg").convert("L") for _ in range(12)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    features = image_features(buffer.getvalue())
    assert features["frames"] == 10
    assert len(fake_tesseract) == 10
    assert (features["width"], features["mode"]) == (frames[0].width, "L")
    assert features["frames_note"] == "read the first 10 of 12 frames"


def test_missing_tesseract_is_an_ocr_error(monkeypatch) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr(ocr, "default_engine", CliEngine)
    with pytest.raises(DocumentError) as info:
        image_features(encode(page()))
    assert info.value.stage == "ocr"
    assert info.value.reason.startswith("tesseract is not installed")


def test_preprocessing_flattens_a_shadow() -> None:
    # Paper at 250 on the left fading to 100 on the right, ink at 30.
    shade = np.linspace(250, 100, 600, dtype=np.float32)[None, :].repeat(400, axis=0)
    shade[200:210, 50:550] = 30
    binary = np.asarray(ocr.prepare_for_ocr(Image.fromarray(shade.astype(np.uint8))))
    ink = binary == 0
    rows = np.nonzero(ink.any(axis=1))[0]
    assert ink.mean() < 0.05  # the grey paper on the right stayed paper
    assert rows.min() > binary.shape[0] * 195 / 400
    assert rows.max() < binary.shape[0] * 215 / 400


# --- with tesseract ------------------------------------------------------------


@pytest.fixture(params=["tesserocr", "tesseract-cli"])
def engine(request, monkeypatch):
    """Run the test with each OCR engine in turn."""
    chosen = TesserocrEngine(find_tessdata()) if request.param == "tesserocr" else CliEngine()
    monkeypatch.setattr(ocr, "default_engine", lambda: chosen)
    return chosen


@slow
@pytest.mark.parametrize("degraded", [False, True], ids=["clean", "degraded"])
def test_scanned_page_word_recall(degraded: bool, engine) -> None:
    text = samples.page_text(seed=3, words=60)
    data = samples.scanned_page_png(text, degraded=degraded, seed=3)
    started = time.perf_counter()
    kind, features = extract(data, "image/png", "scan.png")
    elapsed = time.perf_counter() - started
    score = recall(text, features["ocr_text"])
    size = Image.open(io.BytesIO(data)).size
    print(
        f"\nOCR {engine.name} {'degraded' if degraded else 'clean'} {size}: recall {score:.3f}, "
        f"confidence {features['ocr_confidence']}, {elapsed:.2f} s"
    )
    assert kind == "image"
    assert score >= 0.9
    assert features["frames"] == 1
    assert features["ocr_confidence"] > 60


@slow
def test_photo_without_text_gives_no_words() -> None:
    features = image_features(samples.photo_jpeg(seed=1))
    assert features["word_count"] <= 2
    assert (features["width"], features["height"], features["mode"]) == (640, 480, "RGB")


def cmyk(image: Image.Image) -> Image.Image:
    return image.convert("CMYK")


def sixteen_bit(image: Image.Image) -> Image.Image:
    return Image.fromarray(np.asarray(image).astype(np.uint16) * 257)


def ink_on_transparent(image: Image.Image) -> Image.Image:
    # Black everywhere, text only visible through the alpha channel.
    black = Image.new("L", image.size, 0)
    return Image.merge("RGBA", [black, black, black, Image.eval(image, lambda v: 255 - v)])


@slow
@pytest.mark.parametrize(
    ("convert", "fmt", "mode"),
    [(cmyk, "JPEG", "CMYK"), (sixteen_bit, "PNG", "I;16"), (ink_on_transparent, "PNG", "RGBA")],
    ids=["cmyk", "16-bit", "rgba"],
)
def test_unusual_modes_are_read(convert, fmt: str, mode: str) -> None:
    text = "Blood samples were sent to the laboratory"
    features = image_features(encode(convert(page(text)), fmt))
    assert features["mode"] == mode
    assert recall(text, features["ocr_text"]) >= 0.8


@slow
def test_tesseract_timeout_is_an_ocr_error(engine) -> None:
    with pytest.raises(DocumentError) as info:
        image_features(encode(page()), timeout_s=0.001)
    assert (info.value.stage, info.value.reason) == ("ocr", "timed out after 0.001 s")


def test_binarizing_band_by_band_equals_the_whole_page_formula() -> None:
    """The page is divided by its paper brightness in bands of rows (memory); the result
    must be what dividing the whole page at once gives, on a page of several bands."""
    rng = np.random.default_rng(4)
    height, width = ocr.FLATTEN_BAND_ROWS * 3 + 17, 400
    shade = np.linspace(90, 250, height, dtype=np.float32)[:, None]  # uneven lighting
    page = np.clip(shade - rng.integers(0, 2, (height, width)) * 80, 0, 255).astype(np.uint8)
    gray = Image.fromarray(page)
    step = max(1, max(gray.size) // 128)
    paper = gray.reduce(step).filter(ocr.ImageFilter.MaxFilter(5))
    paper = paper.filter(ocr.ImageFilter.GaussianBlur(2)).resize(gray.size, Image.BILINEAR)
    background = np.asarray(paper, np.float32)
    whole = np.asarray(gray, np.float32) / np.maximum(background, 1.0) * 255.0
    expected_flat = np.clip(whole, 0, 255).astype(np.uint8)
    flat = ocr._flatten_illumination(gray)
    assert np.array_equal(flat, expected_flat)
    histogram = np.bincount(expected_flat.ravel(), minlength=256).tolist()
    expected = np.where(expected_flat > ocr._otsu(histogram), 255, 0).astype(np.uint8)
    assert ocr.binarize(gray).mode == "1"  # one bit a pixel: what tesseract is given
    binary = np.asarray(ocr.binarize(gray).convert("L"))
    assert np.array_equal(binary, expected)
    assert 0 < (binary == 0).mean() < 1  # both ink and paper survive


# --- 1-bit pages (faxes): despeckled, rows repeated whole, softened -----------------


def test_despeckling_removes_lone_pixels_and_keeps_strokes() -> None:
    paper = np.ones((9, 12), bool)
    paper[1, 1] = False  # a speck of line noise on clear paper
    paper[4:7, 3:10] = False  # a stroke three rows tall...
    paper[5, 6] = True  # ...with a pinhole
    cleaned = ocr._despeckled(paper)
    assert cleaned[1, 1] == 255  # the speck is paper
    assert cleaned[5, 6] == 0  # the pinhole is ink
    assert (cleaned[4:7, 3:10] == 0).all() and cleaned[4, 3] == 0  # the stroke, corners too
    assert cleaned.dtype == np.uint8 and set(np.unique(cleaned)) == {0, 255}


@pytest.mark.parametrize(
    ("size", "target", "expected"),
    [
        ((1728, 1100), (1728, 2290), (1728, 2200)),  # 204 x 98: every row twice, exactly
        ((1100, 1728), (2290, 1728), (2200, 1728)),  # the same fax stored turned
        ((1728, 1100), (1728, 1602), (1728, 1602)),  # 204 x 140: resampled to the size
    ],
)
def test_rows_are_repeated_whole_towards_square(size, target, expected) -> None:
    assert ocr._repeated_towards(Image.new("L", size, 255), target).size == expected


def test_a_repeated_row_is_the_scan_line_it_came_from() -> None:
    rows = np.array([[0] * 8, [255] * 8, [0] * 8], np.uint8)
    stretched = np.asarray(ocr._repeated_towards(Image.fromarray(rows), (8, 6)))
    assert (stretched[:, 0] == [0, 0, 255, 255, 0, 0]).all()  # no interpolated grey rows


def test_a_standard_mode_fax_is_blurred_less_across_its_scan_lines() -> None:
    fax = Image.new("1", (60, 30), 1)
    fax.paste(0, (30, 10, 31, 11))  # a lone pixel: despeckled away
    fax.paste(0, (10, 14, 50, 16))  # a horizontal rule two scan lines tall
    fax.info["dpi"] = (204, 98)
    gray = np.asarray(ocr._page_gray(fax))
    assert gray.shape == (60, 60)
    assert gray[20, 30] == 255  # the speck did not survive as a dash
    assert gray[28:32, 30].max() < 128  # the rule's four rows stay ink
    # The pixel just past the rule's end (along the scan lines) is greyer than the one
    # just above it (across them): 1.0 px of blur along, 0.8 px across.
    assert 0 < gray[29, 9] < gray[27, 30] < 255
