"""Which preprocessing a page gets before OCR, decided from cheap measurements.

Preprocessing is a choice per page, not a fixed chain: on clean pages, faxes and
phone photos plain tesseract on the untouched image read more than our own
binarization did (thresholding twice loses strokes, flattening a clean page only
adds noise). So a page is measured first (milliseconds, on a sample of its pixels)
and takes one of a few paths; where the evidence is doubtful the page is read a
second time the other way and the more confident reading is kept.

Pure functions: no OCR here, so every decision is tested in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# Paths a page can take.
UNTOUCHED = "untouched"  # clean page: tesseract's own thresholding on the grey page
FLATTENED = "flattened"  # uneven light (a phone photo, a lamp): divide by the paper, stay grey
BILEVEL = "bilevel"  # a 1-bit page (fax): never thresholded again, pixels made square

# Paper brightness varying by more than this share across the page is uneven light
# (measured: flat scans and faxes 0.00-0.05; a lamp on one side or a phone photo 0.3+).
MAX_EVEN_SPREAD = 0.15
# Tesseract reads best at an x-height of about 20 px, yet 200 dpi body text (~14 px by
# this estimate) already reads at 0.99 recall; below ~12 px (150 dpi: 10.5, 100 dpi: 9)
# it loses letters, so those pages are enlarged to ~16 px, no more (OCR time grows with area).
MIN_X_HEIGHT = 12.0
TARGET_X_HEIGHT = 16.0
MAX_TEXT_UPSCALE = 3.0
# Body-text faces have stems about a fifth of their x-height (Times 0.19, Helvetica 0.21).
X_HEIGHT_PER_STROKE = 5.0
SAMPLED_ROWS = 200
# A first reading with mean word confidence below this is doubtful: read the other way too.
DOUBTFUL_CONFIDENCE = 60.0
# A reading of at most this many words at a mean confidence below NO_TEXT_CONFIDENCE
# is fragments of texture (fur, foliage, a shirt's pattern), not text: "no text found".
NO_TEXT_MAX_WORDS = 12
NO_TEXT_CONFIDENCE = 45.0
# Fewer letters and digits than this in a whole reading is nothing a reader could use
# (a cup's rim read as "AN" at confidence 70), whatever the confidence: "no text found",
# which lists the page for a person, so a tiny real label is looked at, not lost.
NO_TEXT_MIN_CHARACTERS = 4
# Resolutions differing by this factor or more are non-square pixels (a standard-mode
# fax, 204 x 98 dpi); the page is stretched back to square before anything else.
MIN_PIXEL_STRETCH = 1.4
MAX_PIXEL_STRETCH = 4.0
# A page without a stated resolution, shaped like a sheet (A4: 0.707, Letter: 0.773 short
# side to long), is a whole sheet ~8.4 in across; only scanner-like results are believed.
PAGE_PROPORTIONS = (0.69, 0.79)
PAGE_SHORT_SIDE_INCHES = 8.4
GUESSABLE_DPI = (90.0, 700.0)
# A 1-bit page is never thresholded again: it is made grey and softened so tesseract's
# own threshold redraws smooth strokes instead of the fax's jagged ones. Measured on 4
# real pages (bench_hard_scans.py's corpus), word recall against the blur radius in px:
# 204 x 196: none 0.984, 0.8: 0.990, 1.0: 0.991, 1.2: 0.989, 1.5: 0.975.
BILEVEL_BLUR = (1.0, 1.0)
# A standard-mode fax (204 x 98) has its line noise removed, its rows repeated to square
# pixels, then less blur across the rows than along them. On 8 real pages: bicubic rows
# + 1.2 px 0.921; repeated rows + 1.2 px 0.925; + despeckled 0.926; + (along 1.0,
# across 0.8) 0.932, as (1.2, 0.9) and (1.2, 0.6); more across than along (1.0, 1.6) 0.883.
STRETCHED_BILEVEL_BLUR = (1.0, 0.8)  # (along the scan lines, across them)
# After the blur, grey levels are darkened (level ** BILEVEL_DARKEN, on 0..1): the blur
# lightened thin strokes (the bar of an "e", the foot of a "t") until tesseract's
# threshold dropped them, and fax errors are those letters ("clements", "lype"). On 10
# real pages (bench_hard_scans.py), exponent against recall: 204 x 98 none 0.918, 1.6
# 0.921, 1.9 0.924, 2.2 0.923, 3.0 0.915; 204 x 196 none 0.984, 1.9 0.985.
BILEVEL_DARKEN = 1.9


@dataclass(frozen=True)
class Softening:
    """How a 1-bit page is made grey before tesseract thresholds it."""

    despeckle: bool  # remove pixels unlike all eight neighbours (fax line noise)
    blur: tuple[float, float]  # Gaussian radius in px (along the scan lines, across them)
    darken: float = BILEVEL_DARKEN  # exponent on grey levels after the blur (1.0: none)


@dataclass(frozen=True)
class PageStats:
    """What the cheap measurement found on one grey page."""

    bilevel: bool  # the page holds two levels only (a fax, a 1-bit scan)
    illumination_spread: float  # 0 even paper .. 1 half the page in shadow
    stroke_width: float  # mean horizontal ink run, px (0 when no ink)

    @property
    def x_height(self) -> float:
        """Estimated x-height in px, from the stroke width."""
        return self.stroke_width * X_HEIGHT_PER_STROKE


def measure(gray: Image.Image, one_bit: bool = False) -> PageStats:
    """PageStats of a grey page; ``one_bit`` when the file itself was 1-bit."""
    histogram = np.asarray(gray.histogram(), np.float64)
    total = histogram.sum() or 1.0
    bilevel = one_bit or (histogram[0] + histogram[255]) / total > 0.995
    return PageStats(bilevel, _illumination_spread(gray), _stroke_width(gray, histogram))


def _illumination_spread(gray: Image.Image) -> float:
    # Paper brightness from a ~64 px copy: each cell's brightest pixels are paper.
    step = max(1, max(gray.size) // 64)
    tiny = np.asarray(gray.reduce(step) if step > 1 else gray, np.float32)
    cells = _cell_maxima(tiny, 8)
    bright = float(np.percentile(cells, 95))
    if bright <= 0:
        return 0.0
    return round(float(1.0 - np.percentile(cells, 5) / bright), 3)


def _cell_maxima(pixels: np.ndarray, cells: int) -> np.ndarray:
    h, w = pixels.shape
    ch, cw = max(1, h // cells), max(1, w // cells)
    return np.array(
        [
            pixels[y : y + ch, x : x + cw].max()
            for y in range(0, h - ch + 1, ch)
            for x in range(0, w - cw + 1, cw)
        ]
    )


def _stroke_width(gray: Image.Image, histogram: np.ndarray) -> float:
    """Mean length of horizontal ink runs on a sample of rows."""
    pixels = np.asarray(gray)
    rows = pixels[:: max(1, pixels.shape[0] // SAMPLED_ROWS)]
    ink = rows < _midpoint(histogram)
    padded = np.pad(ink, ((0, 0), (1, 1))).astype(np.int8)
    edges = np.diff(padded, axis=1)
    starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
    runs = ends[1] - starts[1]
    # Runs as long as a tenth of the row are rules, photo areas or borders, not strokes.
    runs = runs[runs < max(4, pixels.shape[1] // 10)]
    return round(float(np.mean(runs)), 2) if len(runs) >= 50 else 0.0


def _midpoint(histogram: np.ndarray) -> float:
    # Halfway between the darkest and brightest populated levels (2% tails cut off).
    cumulative = np.cumsum(histogram) / max(histogram.sum(), 1.0)
    dark = int(np.searchsorted(cumulative, 0.02))
    light = int(np.searchsorted(cumulative, 0.98))
    return (dark + light) / 2 if light > dark else 128.0


def square_size(size: tuple[int, int], dpi: object) -> tuple[int, int] | None:
    """The size at which a page stored with unequal resolutions has square pixels.

    None when its pixels are square already or its ``dpi`` (the file's (x, y)) says nothing.
    """
    try:
        x_dpi, y_dpi = (float(v) for v in dpi)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    if min(x_dpi, y_dpi) <= 0 or max(x_dpi, y_dpi) / min(x_dpi, y_dpi) < MIN_PIXEL_STRETCH:
        return None
    width, height = size
    if x_dpi > y_dpi:
        return width, min(round(height * x_dpi / y_dpi), round(height * MAX_PIXEL_STRETCH))
    return min(round(width * y_dpi / x_dpi), round(width * MAX_PIXEL_STRETCH)), height


def square_resolution(dpi: object) -> float | None:
    """The resolution of a page's pixels once square (square_size), from its file's (x, y).

    None when the file says nothing usable: tesseract then estimates it, as its CLI does.
    """
    try:
        x_dpi, y_dpi = (float(v) for v in dpi)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    if min(x_dpi, y_dpi) <= 0:
        return None
    if max(x_dpi, y_dpi) / min(x_dpi, y_dpi) < MIN_PIXEL_STRETCH:
        return y_dpi
    return max(x_dpi, y_dpi)  # the short side is stretched to the long side's resolution


def guessed_resolution(size: tuple[int, int]) -> float | None:
    """The resolution of a page-shaped image whose file does not say (None: not a page).

    An image with the proportions of an A4 or Letter sheet is taken to be the whole
    sheet (8.27-8.5 in across: within 2%). Tesseract's own guess, from the text's
    x-height, read a code listing at 200 dpi 0.974 where 200 dpi read 0.987.
    """
    short, long = sorted(size)
    if not PAGE_PROPORTIONS[0] <= short / max(long, 1) <= PAGE_PROPORTIONS[1]:
        return None
    dpi = short / PAGE_SHORT_SIDE_INCHES
    return dpi if GUESSABLE_DPI[0] <= dpi <= GUESSABLE_DPI[1] else None


def bilevel_softening(stretched: bool) -> Softening:
    """How a 1-bit page is softened; a page whose rows were stretched is also despeckled."""
    if stretched:
        return Softening(despeckle=True, blur=STRETCHED_BILEVEL_BLUR)
    return Softening(despeckle=False, blur=BILEVEL_BLUR)


def choose_path(stats: PageStats) -> str:
    """The preprocessing path a page takes first."""
    if stats.bilevel:
        return BILEVEL
    if stats.illumination_spread > MAX_EVEN_SPREAD:
        return FLATTENED
    return UNTOUCHED


def second_path(path: str) -> str | None:
    """The alternative read when the first is doubtful (None: there is no better one)."""
    return {UNTOUCHED: FLATTENED, FLATTENED: UNTOUCHED}.get(path)


def text_upscale(stats: PageStats) -> float:
    """Factor to enlarge a page whose text is too small for tesseract (1.0: leave it)."""
    if stats.stroke_width <= 0 or stats.x_height >= MIN_X_HEIGHT:
        return 1.0
    return min(MAX_TEXT_UPSCALE, TARGET_X_HEIGHT / stats.x_height)


def doubtful(confidences: list[float]) -> bool:
    """True when a reading is not confident enough to skip the second candidate."""
    return not confidences or sum(confidences) / len(confidences) < DOUBTFUL_CONFIDENCE


def is_no_text(confidences: list[float], text: str | None = None) -> bool:
    """True when a reading is a handful of low-confidence fragments, or next to no text."""
    if not confidences:
        return True
    if text is not None and sum(c.isalnum() for c in text) < NO_TEXT_MIN_CHARACTERS:
        return True
    mean = sum(confidences) / len(confidences)
    return len(confidences) <= NO_TEXT_MAX_WORDS and mean < NO_TEXT_CONFIDENCE
