"""Page geometry before OCR: skew and sideways pages, and whether there is text at all.

All of it runs on a small binarized copy of the page (long side ~1000 px), from the
ink pixels' coordinates: a page of text has ink in rows (text lines) separated by
white gaps, so the histogram of ink per row is sharply peaked when measured along
the lines' true direction. Trying a few dozen directions costs milliseconds, against
~1 s for an OCR pass, so it runs on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

ANALYSIS_LONG_SIDE = 1000
MAX_SKEW_DEGREES = 10.0
_COARSE = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5)
_FINE = np.arange(-0.5, 0.51, 0.1)
_COLUMN_COARSE = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 1.0)
# A regular sample of this many ink pixels measures the angle as well as all of them.
MAX_PROFILE_PIXELS = 40_000


@dataclass(frozen=True)
class Geometry:
    """What the cheap analysis found on one page."""

    skew: float  # degrees, counter-clockwise rotation that straightens the lines
    sideways: bool  # the text lines run vertically (page turned 90 or 270)
    line_score: float  # how strongly ink sits in lines (0 none .. ~1 clean text page)
    ink: float  # share of ink pixels
    thin: float  # share of ink in strokes a 3x3 erosion removes (text is thin)
    text_tiles: int = 0  # tiles of a 6x6 grid that look like print (for text inside a photo)


def analysis_image(gray: Image.Image, long_side: int = ANALYSIS_LONG_SIDE) -> np.ndarray:
    """A boolean ink mask of the page at ~ANALYSIS_LONG_SIDE px, lighting flattened."""
    step = max(1, round(max(gray.size) / long_side))
    small = gray.reduce(step) if step > 1 else gray
    grow = min(4.0, long_side / max(small.size))
    if grow > 1.25:  # a small image (a label, a thumbnail) is measured at the same scale
        size = (round(small.width * grow), round(small.height * grow))
        small = small.resize(size, Image.Resampling.BILINEAR)
    # Paper brightness from a ~128 px copy: a max filter there is nearly free.
    tiny_step = max(1, max(small.size) // 128)
    tiny = small.reduce(tiny_step) if tiny_step > 1 else small
    paper = tiny.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2))
    paper = paper.resize(small.size, Image.Resampling.BILINEAR)
    pixels = np.asarray(small, np.float32) / np.maximum(np.asarray(paper, np.float32), 1.0)
    return pixels < 0.6


def _profile_score(ys: np.ndarray, xs: np.ndarray, degrees: float, rows: int) -> float:
    # Project each ink pixel on the normal of lines at `degrees`; peaked histogram = lines.
    offset = ys - xs * np.tan(np.radians(degrees))
    hist = np.bincount((offset - offset.min()).astype(np.int64), minlength=rows)
    return float(np.square(hist, dtype=np.float64).sum())


def _best_angle(
    ys: np.ndarray, xs: np.ndarray, rows: int, grid: np.ndarray = _COARSE
) -> tuple[float, float]:
    scores = [_profile_score(ys, xs, a, rows) for a in grid]
    coarse = float(grid[int(np.argmax(scores))])
    fine = [(_profile_score(ys, xs, coarse + d, rows), coarse + d) for d in _FINE]
    score, angle = max(fine)
    return float(np.clip(angle, -MAX_SKEW_DEGREES, MAX_SKEW_DEGREES)), score


def analyse(gray: Image.Image) -> Geometry:
    """Skew, sideways-ness and a text-likelihood score for one grey page."""
    ink = analysis_image(gray)
    ys, xs = np.nonzero(ink)
    share = round(float(ink.mean()), 4)
    if len(ys) < 200:  # blank or nearly blank: nothing to straighten or read
        return Geometry(0.0, False, 0.0, share, 1.0, 0)
    thin = round(_thinnest(ink), 3)
    tiles = _text_tiles(ink) if thin < MIN_THIN_SHARE else None  # a page's own strokes suffice
    if thin < MIN_THIN_SHARE and tiles < MIN_TEXT_TILES:
        return Geometry(0.0, False, 0.0, share, thin, tiles)  # a photo: no angle search
    if len(ys) > MAX_PROFILE_PIXELS:
        keep = slice(None, None, -(-len(ys) // MAX_PROFILE_PIXELS))
        ys, xs = ys[keep], xs[keep]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)
    h, w = ink.shape
    row_angle, row_score = _best_angle(ys, xs, h + w)
    # Columns only decide "sideways": a 1-degree grid (under 1/15 of the profile's
    # contrast lost) unless they win, then measured as finely as rows.
    col_angle, col_score = _best_angle(xs, ys, h + w, _COLUMN_COARSE)
    if col_score > row_score:
        col_angle, col_score = _best_angle(xs, ys, h + w)
    sideways = col_score > row_score * 1.15
    best = col_score if sideways else row_score
    # Uniformly spread ink gives sum(hist^2) ~ n^2 / extent; lines concentrate it.
    extent = w if sideways else h
    uniform = len(ys) ** 2 / max(extent, 1)
    line_score = float(1.0 - uniform / best) if best > 0 else 0.0
    # Clockwise for a sideways page: its lines run vertically; report their tilt the same way.
    skew = -col_angle if sideways else row_angle
    if tiles is None:
        tiles = _text_tiles(ink) if line_score < MIN_LINE_SCORE else 0
    return Geometry(round(skew, 2), sideways, round(line_score, 3), share, thin, tiles)


def _text_tiles(ink: np.ndarray, grid: int = 6) -> int:
    """Tiles whose ink is thin strokes at a print-like density: a page inside a photo."""
    h, w = ink.shape
    th, tw = max(h // grid, 16), max(w // grid, 16)
    count = 0
    for y in range(0, h - th + 1, th):
        for x in range(0, w - tw + 1, tw):
            tile = ink[y : y + th, x : x + tw]
            if TILE_INK[0] <= tile.mean() <= TILE_INK[1] and _thinnest(tile) >= TILE_THIN:
                count += 1
    return count


def _thinnest(ink: np.ndarray) -> float:
    """The thin share at the scale where it is highest (down to 1/4).

    Large print has strokes too wide for a 3x3 erosion at full scale; halving
    the resolution makes them thin, while a photo's solid areas stay solid.
    """
    best, mask = _thin_share(ink), ink
    for _ in range(2):
        h, w = (mask.shape[0] // 2) * 2, (mask.shape[1] // 2) * 2
        if h < 8 or w < 8:
            break
        quads = (
            mask[:h:2, :w:2].astype(np.uint8)
            + mask[1:h:2, :w:2]
            + mask[:h:2, 1:w:2]
            + mask[1:h:2, 1:w:2]
        )
        mask = quads >= 2
        if mask.sum() < 50:
            break
        best = max(best, _thin_share(mask))
    return best


def _thin_share(ink: np.ndarray) -> float:
    """Share of ink pixels with a paper pixel among their 4 neighbours.

    Letters at analysis scale are strokes 1-3 px wide, nearly all edge; the dark
    areas of a photo are solid and survive the erosion.
    """
    core = ink[1:-1, 1:-1] & ink[:-2, 1:-1] & ink[2:, 1:-1] & ink[1:-1, :-2] & ink[1:-1, 2:]
    total = int(ink.sum())
    return 1.0 - int(core.sum()) / total if total else 1.0


# Measured (BENCHMARKS.md): text pages have thin 0.82-0.99 and line score 0.70-0.86
# (clean, blurred, JPEG, fax, a one-line label); photos thin 0.10-0.63, line 0.06-0.70.
MIN_THIN_SHARE = 0.6
MIN_LINE_SCORE = 0.4
MIN_INK_SHARE = 0.0005
# A page photographed on a busy background fails the whole-image test; a few
# print-like tiles (photos: 0-1, a page filling half the frame: 5+) still send it to OCR.
TILE_INK = (0.01, 0.35)
TILE_THIN = 0.8
MIN_TEXT_TILES = 2


def likely_text(geometry: Geometry) -> bool:
    """False when the page almost certainly holds no text, so OCR can be skipped."""
    if geometry.ink < MIN_INK_SHARE:
        return False
    page_like = geometry.thin >= MIN_THIN_SHARE and geometry.line_score >= MIN_LINE_SCORE
    return page_like or geometry.text_tiles >= MIN_TEXT_TILES
