"""Features of image documents: OCR text plus basic image facts."""

from __future__ import annotations

import io
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from report_pipeline.extraction import (
    heif,  # noqa: F401  (Pillow then opens HEIC photos)
    page_path,
)
from report_pipeline.extraction.engines import OcrTimeout, default_engine
from report_pipeline.extraction.languages import resolve as resolve_language
from report_pipeline.extraction.memory import (
    keep_page_buffers_out_of_the_heap,
    release_freed_memory,
)
from report_pipeline.extraction.scan import analyse, likely_text
from report_pipeline.extraction.terms import top_terms
from report_pipeline.models import DocumentError

# A process that reads pages allocates and frees page-sized buffers all its life
# (memory.py); the forkserver imports this module, so every step inherits it.
keep_page_buffers_out_of_the_heap()

# Far above any real scan (an A4 page at 600 dpi is ~35 MP) yet small enough
# that a crafted file cannot exhaust worker memory.
Image.MAX_IMAGE_PIXELS = 100_000_000
MAX_FRAMES = 10
# Tesseract reads best with capitals ~20-30 px tall. Small images are scaled
# up to about an A4 page at 180 dpi (1500 x 2100 px); both sides count so a
# wide strip cut from a page is not blown up to a huge image.
TARGET_SHORT_SIDE = 1500
TARGET_LONG_SIDE = 2100
MAX_UPSCALE = 4.0
MAX_WORKING_PIXELS = 40_000_000
_WORDLIKE = re.compile(r"[^\W_]")


def image_features(
    data: bytes | IO[bytes], *, timeout_s: float = 120, language: str | None = None
) -> dict:
    """OCR every frame (up to MAX_FRAMES) of an image and describe it.

    ``timeout_s`` bounds the whole document, not each frame. ``language`` is the
    catalog's language for the document (None: REPORT_PIPELINE_OCR_LANGUAGES).
    """
    if isinstance(data, bytes) and not data:
        raise DocumentError("read", "empty file")
    lang = _language(language)
    return _features_of(_open(data), lang, timeout_s)


def rendered_page_features(
    image: Image.Image, *, timeout_s: float = 120, language: str | None = None
) -> dict:
    """image_features of a page already in memory (a PDF page rendered by pdfium).

    No round trip through an encoded file: the page's pixels are not copied twice
    more while it is read (~8 MB each at 300 dpi).
    """
    return _features_of(image, _language(language), timeout_s)


def _language(language: str | None) -> str:
    engine = default_engine()
    return resolve_language(language, engine.languages, engine.display_name)


def _features_of(image: Image.Image, lang: str, timeout_s: float) -> dict:
    # Read before iterating: seeking to later GIF frames changes the mode.
    facts = {"width": image.width, "height": image.height, "mode": image.mode}
    total_frames = getattr(image, "n_frames", 1)
    deadline = time.monotonic() + timeout_s
    pages = []
    for frame in _frames(image):
        pages.append(read_page(frame, _Budget(deadline, timeout_s), lang))
        # A long fax or PDF (one call per page) must not keep its worst page's heap.
        release_freed_memory()
    ocr_text = "\n\n".join(p.text for p in pages if p.text)
    confidences = [c for p in pages for c in p.confidences]
    features = {
        "ocr_text": ocr_text,
        "ocr_confidence": _mean(confidences),
        "word_count": len(confidences),
        **facts,
        "frames": len(pages),
        "top_terms": top_terms(ocr_text),
        "ocr_languages": lang,
        "no_text_found": not confidences,
        "pages_no_text": sum(1 for p in pages if not p.confidences),
        "pages_rotated": sum(1 for p in pages if p.rotation),
        "pages_deskewed": sum(1 for p in pages if p.skew),
        # Which preprocessing each page had: why a page read as it did (docs/scans.md).
        "page_paths": [p.path for p in pages],
    }
    if total_frames > len(pages):
        # A long fax is read up to the cap, and the report says so rather than hiding it.
        features["frames_total"] = total_frames
        features["frames_note"] = f"read the first {len(pages)} of {total_frames} frames"
    return features


@dataclass
class PageRead:
    text: str
    confidences: list[float]
    rotation: int = 0  # degrees turned counter-clockwise before reading
    skew: float = 0.0  # degrees of skew corrected
    path: str = ""  # the preprocessing the kept reading had (page_path.py)

    def labelled(self, path: str, enlarged: bool) -> PageRead:
        """This reading with its path label: "untouched", "bilevel+enlarged+180", "no text"."""
        if not self.confidences:
            return PageRead(self.text, self.confidences, self.rotation, self.skew, NO_TEXT_PATH)
        label = (
            path
            + ("+enlarged" if enlarged else "")
            + (f"+{self.rotation}" if self.rotation else "")
        )
        return PageRead(self.text, self.confidences, self.rotation, self.skew, label)


class _Budget:
    """The document's deadline, shared by its pages and their retries."""

    def __init__(self, deadline: float, timeout_s: float) -> None:
        self.deadline, self.timeout_s = deadline, timeout_s

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.timed_out()
        return left

    def timed_out(self) -> DocumentError:
        return DocumentError("ocr", f"timed out after {self.timeout_s:g} s", "OcrTimeout")


NO_TEXT_PATH = "no text"  # skipped by the geometry check, or fragments of texture
SIDEWAYS_PATH = "sideways"  # turned 90/270 by OSD, binarized (the path before page_path)

# Tesseract copes with a degree or so; straightening below that only blurs.
MIN_SKEW_DEGREES = 0.4


def read_page(frame: Image.Image, budget: _Budget, lang: str = "eng") -> PageRead:
    """One page: skip it if it holds no text, turn and straighten it, then OCR.

    The preprocessing is chosen per page (page_path.py): untouched grey for clean
    pages, flattened light for photos and lamps, 1-bit pages never thresholded again;
    a doubtful reading is repeated the other way and the more confident one kept.
    """
    # Analysed before upscaling: a photo without text never pays for the resize.
    gray = _page_gray(frame)
    geometry = analyse(gray)
    if not likely_text(geometry):
        return PageRead("", [], path=NO_TEXT_PATH)
    stats = page_path.measure(gray, frame.mode == "1")
    source = gray
    gray = _enlarged(gray, page_path.text_upscale(stats))
    enlarged = gray.size != source.size
    dpi = page_path.square_resolution(frame.info.get("dpi"))
    if dpi is None:
        dpi = page_path.guessed_resolution(source.size)
    if dpi is not None:
        dpi *= gray.width / source.width
    path = page_path.choose_path(stats)
    if default_engine().reads_any_orientation:
        # a managed engine turns pages itself
        read = PageRead(*_ocr(gray, budget, lang, dpi), path=page_path.UNTOUCHED)
    elif geometry.sideways:
        read = _read_sideways(gray, budget, lang, dpi)
    else:
        read = _upright_or_turned(gray, geometry.skew, path, budget, lang, dpi)
    read = _unless_fragments(read)
    return read.labelled(read.path, enlarged)


def _upright_or_turned(
    gray: Image.Image,
    skew_found: float,
    path: str,
    budget: _Budget,
    lang: str,
    dpi: float | None = None,
) -> PageRead:
    gray, skew = _deskewed(gray, skew_found)
    text, confidences = _ocr(_prepared(gray, path), budget, lang, dpi)
    read = PageRead(text, confidences, skew=skew, path=path)
    if page_path.doubtful(confidences):
        read = _second_candidate(gray, path, read, budget, lang, dpi)
    return read


def _second_candidate(
    gray: Image.Image,
    path: str,
    first: PageRead,
    budget: _Budget,
    lang: str,
    dpi: float | None = None,
) -> PageRead:
    """A doubtful first reading: upside down if OSD says so, else the other preprocessing.

    OSD (~0.25 s) goes first: an upside-down page is the commonest doubtful page, and
    reading it the other way up before turning it would be a wasted OCR pass.
    """
    best = first
    if _osd_turn(binarize(gray)) == 180:
        turned = PageRead(
            *_ocr(_prepared(gray.rotate(180), path), budget, lang, dpi),
            rotation=180,
            skew=first.skew,
            path=path,
        )
        if _quality(turned.confidences) > _quality(best.confidences):
            best = turned
        if not page_path.doubtful(best.confidences):
            return best
    other = page_path.second_path(path)
    if other is not None:
        source = gray.rotate(180) if best.rotation else gray
        read = PageRead(
            *_ocr(_prepared(source, other), budget, lang, dpi),
            rotation=best.rotation,
            skew=first.skew,
            path=other,
        )
        if _quality(read.confidences) > _quality(best.confidences):
            best = read
    return best


def _prepared(gray: Image.Image, path: str) -> Image.Image:
    """The image tesseract reads on a path (page_path.py)."""
    if path == page_path.FLATTENED:
        return Image.fromarray(_flatten_illumination(gray))
    return gray  # untouched grey, or a 1-bit page in grey: tesseract thresholds it


def _unless_fragments(read: PageRead) -> PageRead:
    # A handful of low-confidence words from a photo's texture is not text.
    if read.confidences and page_path.is_no_text(read.confidences, read.text):
        return PageRead("", [], read.rotation, read.skew, NO_TEXT_PATH)
    return read


def _enlarged(gray: Image.Image, text_factor: float) -> Image.Image:
    """Small images up to page size, small text up to tesseract's size: the larger."""
    sized = _upscale(gray)
    if text_factor <= sized.width / gray.width * 1.05:
        return sized
    wanted = (round(gray.width * text_factor), round(gray.height * text_factor))
    size = _within_working_pixels(wanted)
    return gray.resize(size, Image.Resampling.LANCZOS)


def _read_sideways(
    gray: Image.Image, budget: _Budget, lang: str, dpi: float | None = None
) -> PageRead:
    # Lines run vertically: OSD tells 90 from 270. It also overrules the profile when
    # a photo's texture made an upright page look sideways; if it cannot tell, try all.
    turn = _osd_turn(binarize(gray))
    candidates = [turn] if turn is not None else [90, 270, 0]
    best: PageRead | None = None
    for rotation in candidates:
        turned = gray.rotate(rotation, expand=True) if rotation else gray
        straight, skew = _deskewed(turned, analyse(turned).skew)
        read = PageRead(
            *_ocr(binarize(straight), budget, lang, dpi),
            rotation=rotation,
            skew=skew,
            path=SIDEWAYS_PATH,
        )
        if best is None or _quality(read.confidences) > _quality(best.confidences):
            best = read
        if not page_path.doubtful(best.confidences):
            break
    return best


def _page_gray(frame: Image.Image) -> Image.Image:
    """The frame in grey with square pixels; a 1-bit page softened, never thresholded again."""
    size = page_path.square_size(frame.size, frame.info.get("dpi"))
    if frame.mode == "1":
        return _softened_bilevel(frame, size)
    gray = _to_gray(frame)
    if size is not None:
        gray = gray.resize(_within_working_pixels(size), Image.Resampling.BICUBIC)
    return gray


def _softened_bilevel(frame: Image.Image, size: tuple[int, int] | None) -> Image.Image:
    """A 1-bit page in grey for tesseract's own threshold (page_path.bilevel_softening).

    A standard-mode fax (204 x 98 dpi) holds every other row: each row is repeated to
    stretch it back (a row stands for the two it was scanned from; interpolating
    between rows smears strokes across them), and its line noise is removed first,
    since repeating a speck makes it a dash.
    """
    softening = page_path.bilevel_softening(stretched=size is not None)
    if softening.despeckle:
        gray = Image.fromarray(_despeckled(np.asarray(frame)))
    else:
        gray = _to_gray(frame)
    along, across = softening.blur
    if size is not None:
        if size[1] == frame.height:  # a fax stored turned: its scan lines are columns
            along, across = across, along
        gray = _repeated_towards(gray, size)
    # A true Gaussian: Pillow's box approximation of one this narrow read less. Imported
    # here: only 1-bit pages need it, and every step process imports this module.
    from scipy.ndimage import gaussian_filter

    pixels = gaussian_filter(np.asarray(gray, np.float32), (across, along), output=np.float32)
    softened = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return softened.point(_darkening_table(softening.darken))


def _darkening_table(exponent: float) -> list[int]:
    """Grey levels darkened by ``exponent`` (paper and full ink stay as they are)."""
    return [round(255 * (level / 255) ** exponent) for level in range(256)]


def _repeated_towards(gray: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Rows (or columns) repeated a whole number of times towards ``size``.

    204 x 98 becomes 204 x 196, square as a fine fax is: a fractional factor would repeat
    some rows three times and others twice. A resolution no whole factor comes within
    10% of (204 x 140) is resampled to ``size`` instead.
    """
    repeats = [max(1, round(want / have)) for want, have in zip(size, gray.size, strict=True)]
    wanted = (gray.width * repeats[0], gray.height * repeats[1])
    if all(abs(got / want - 1) <= 0.1 for got, want in zip(wanted, size, strict=True)):
        return gray.resize(_within_working_pixels(wanted), Image.Resampling.NEAREST)
    return gray.resize(_within_working_pixels(size), Image.Resampling.BICUBIC)


def _despeckled(paper: np.ndarray) -> np.ndarray:
    """A 1-bit page (True: paper) in grey, without pixels unlike all eight neighbours."""
    padded = np.pad(paper, 1, mode="edge")
    height, width = paper.shape
    paper_around = np.zeros(paper.shape, np.uint8)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy != 1 or dx != 1:
                paper_around += padded[dy : dy + height, dx : dx + width]
    # A speck of ink on clear paper becomes paper, a pinhole in a solid stroke ink.
    cleaned = np.where(paper_around == 8, True, np.where(paper_around == 0, False, paper))
    return np.where(cleaned, 255, 0).astype(np.uint8)


def _within_working_pixels(size: tuple[int, int]) -> tuple[int, int]:
    # A crafted file must not turn a resize into gigabytes.
    factor = min(1.0, (MAX_WORKING_PIXELS / (size[0] * size[1])) ** 0.5)
    return max(1, round(size[0] * factor)), max(1, round(size[1] * factor))


def _deskewed(gray: Image.Image, skew: float) -> tuple[Image.Image, float]:
    if abs(skew) < MIN_SKEW_DEGREES:
        return gray, 0.0
    return gray.rotate(skew, Image.Resampling.BICUBIC, expand=True, fillcolor=255), skew


def _osd_turn(image: Image.Image) -> int | None:
    found = default_engine().orientation(image)
    return found[0] if found else None


def _quality(confidences: list[float]) -> float:
    # Sum of confidences: many confident words beat a few confident specks.
    return sum(confidences)


def _open(data: bytes | IO[bytes]) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x the limit; refuse those too.
            # The check reads only the header, before any pixel is decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
            image.load()
        return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentError(
            "decode",
            f"image too large: over {Image.MAX_IMAGE_PIXELS:,} pixels"
            " (possible decompression bomb)",
            type(exc).__name__,
        ) from None
    except Image.UnidentifiedImageError:
        raise DocumentError(
            "decode", "not a recognised image format", "UnidentifiedImageError"
        ) from None
    except Exception as exc:  # Pillow plugins raise many types for corrupt data
        raise DocumentError(
            "decode", f"corrupt image: {_describe(exc)}", type(exc).__name__
        ) from None


def _frames(image: Image.Image) -> Iterator[Image.Image]:
    """Each frame to OCR; seeking stops at MAX_FRAMES so later ones are never read."""
    for index in range(min(getattr(image, "n_frames", 1), MAX_FRAMES)):
        try:
            image.seek(index)
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise DocumentError(
                    "decode", f"frame {index + 1} is too large", "DecompressionBombError"
                )
            image.load()
        except DocumentError:
            raise
        except Exception as exc:
            raise DocumentError(
                "decode",
                f"corrupt image frame {index + 1}: {_describe(exc)}",
                type(exc).__name__,
            ) from None
        yield _upright(image)


def _upright(frame: Image.Image) -> Image.Image:
    # Phone photos of pages are usually stored sideways with an EXIF hint.
    try:
        if frame.getexif().get(0x0112, 1) == 1:  # upright: spare the copy of every pixel
            return frame
        return ImageOps.exif_transpose(frame)
    except Exception:  # a broken EXIF block should not cost us the page
        return frame


def prepare_for_ocr(frame: Image.Image) -> Image.Image:
    """Grayscale, upscale, flatten uneven lighting and binarize one frame."""
    return binarize(_upscale(_to_gray(frame)))


def binarize(gray: Image.Image) -> Image.Image:
    """The page in black and white (mode "1"), lighting flattened, Otsu's threshold.

    One bit a pixel: tesseract reads it word for word as it reads the same page
    in 8-bit black and white, and holds ~35 MB less for a 300 dpi page.
    """
    flat = Image.fromarray(_flatten_illumination(gray))
    # Pillow's histogram and lookup table work on the 1-byte pixels as they are;
    # numpy's bincount and where made 8-byte copies of the page (~70 MB at 300 dpi).
    threshold = _otsu(flat.histogram())
    return flat.point([255 if level > threshold else 0 for level in range(256)], "1")


def _to_gray(frame: Image.Image) -> Image.Image:
    mode = frame.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        return _stretch_to_8bit(frame)
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in frame.info:
        # Transparent pixels often hold black colour values; put them on paper.
        rgba = frame.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if mode == "L":
        return frame  # images are never changed in place: no copy needed
    if mode in ("1", "P", "RGB"):
        return frame.convert("L")
    return frame.convert("RGB").convert("L")  # CMYK, YCbCr, LAB, HSV


def _stretch_to_8bit(frame: Image.Image) -> Image.Image:
    # 16/32-bit scans rarely use the full range; map what is there to 0-255.
    values = np.asarray(frame, dtype=np.float32)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) * (255.0 / (high - low)) if high > low else values * 0
    return Image.fromarray(scaled.astype(np.uint8))


def _upscale(gray: Image.Image) -> Image.Image:
    short, long = sorted(gray.size)
    by_area = (MAX_WORKING_PIXELS / (gray.width * gray.height)) ** 0.5
    factor = min(TARGET_SHORT_SIDE / short, TARGET_LONG_SIDE / long, MAX_UPSCALE, by_area)
    if factor <= 1.05:
        return gray
    size = (round(gray.width * factor), round(gray.height * factor))
    return gray.resize(size, Image.Resampling.LANCZOS)


# Rows of a page divided at a time: the float copies of a whole 300 dpi page were
# ~35 MB each (4 bytes a pixel), several alive at once; a band of rows is ~3 MB.
FLATTEN_BAND_ROWS = 256


def _flatten_illumination(gray: Image.Image) -> np.ndarray:
    """Divide by the paper brightness so shadows and gradients disappear."""
    step = max(1, max(gray.size) // 128)
    small = gray.reduce(step) if step > 1 else gray
    # The max filter wipes out the dark text strokes, leaving only the paper.
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2))
    background = np.asarray(paper.resize(gray.size, Image.Resampling.BILINEAR))
    pixels = np.asarray(gray)
    flat = np.empty(pixels.shape, np.uint8)
    for top in range(0, pixels.shape[0], FLATTEN_BAND_ROWS):
        rows = slice(top, top + FLATTEN_BAND_ROWS)
        band = pixels[rows].astype(np.float32)
        band /= np.maximum(background[rows].astype(np.float32), 1.0)
        band *= 255.0
        np.clip(band, 0, 255, out=band)
        flat[rows] = band  # truncates to uint8 as astype does
    return flat


def _otsu(histogram: list[int]) -> int:
    """Threshold maximising between-class variance of a 256-level grey histogram."""
    hist = np.asarray(histogram, dtype=np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(hist)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(hist * levels)
    mean_dark = sum_dark / np.maximum(weight_dark, 1)
    mean_light = (sum_dark[-1] - sum_dark) / np.maximum(weight_light, 1)
    between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    return int(np.argmax(between))


def _ocr(
    image: Image.Image, budget: _Budget, lang: str = "eng", dpi: float | None = None
) -> tuple[str, list[float]]:
    """Tesseract's reading of one prepared image; ``dpi`` its resolution, when known.

    The resolution goes in the image's ``info`` (engines.resolution_of), where Pillow's
    own savers look for it; unknown, tesseract estimates it as its CLI does for a file
    without one.
    """
    if dpi is not None:
        image.info["dpi"] = (dpi, dpi)
    try:
        data = default_engine().word_table(image, budget.remaining(), lang)
    except OcrTimeout:
        raise budget.timed_out() from None
    return _words_to_text(data)


def _words_to_text(data: dict) -> tuple[str, list[float]]:
    """Rebuild line structure from tesseract's word table, dropping noise."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for i, raw in enumerate(data["text"]):
        word = (raw or "").strip()
        conf = float(data["conf"][i])
        if conf < 0 or not _is_word(word):
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(word)
        confidences.append(conf)
    text = "\n".join(" ".join(words) for words in lines.values())
    return text, confidences


def _is_word(token: str) -> bool:
    # Specks and ruling lines come back as "|", "—", "~" and the like.
    return bool(_WORDLIKE.search(token))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_one_line(exc)}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
