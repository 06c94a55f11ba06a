"""The report's fonts: DejaVu embedded, parsed once and subset once per glyph set.

Why this exists: parsing the two DejaVu files and running fontTools' subsetter
on the ~6,000-glyph font cost more than laying out a small report, and a week
renders one report per customer, most of them printing the same glyphs. This
module parses the fonts once per process and embeds a subset already made for
the same glyphs again, byte for byte (report/test_pdf_fonts.py). It reaches into
fpdf2's font objects and fontTools' TTFont, so it is kept apart from the layout:
when fpdf2 changes its internals, this is the one module to look at.

Interface for a document (report/pdf.py's ReportPDF):
  install_fonts(pdf.fonts)            in __init__, instead of FPDF.add_font
  reserve_common_glyphs(pdf.fonts)    before drawing, so glyph sets repeat
  made = use_cached_subsets(pdf.fonts); FPDF.output(); remember_subsets(made)
"""

from __future__ import annotations

import copy
import functools
import io
import os
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT = "DejaVu"
# The DejaVu files matplotlib 3.x ships (same bytes, hence the same PDFs), kept here so
# rendering a report needs no plotting library.
FONT_DIR = os.path.join(os.path.dirname(__file__), "dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
SUBSET_CACHE_SIZE = 64
# Printable ASCII and the symbols the layout itself prints (arrows, bullet, ellipsis).
COMMON_CHARS = "".join(map(chr, range(0x21, 0x7F))) + "·•…▲▼▶"
# (font file, glyph names) -> the font subset fpdf2 embedded for exactly those glyphs
_SUBSETS: dict[tuple[str, frozenset[str]], tuple[bytes, tuple[str, ...]]] = {}

Made = dict[tuple[str, frozenset[str]], Any]


def install_fonts(fonts: dict[str, Any]) -> None:
    """Put the parsed DejaVu fonts in a document's font table, each with its own state."""
    for _style, template in _parsed_fonts().items():
        fonts[template.fontkey] = _fresh_copy(template)


def reserve_common_glyphs(fonts: dict[str, Any]) -> None:
    """Put the common characters in every font's subset, first and in a fixed order.

    Reports then differ in their glyph sets only when they print rarer
    characters, so most reuse a cached subset; a few KB more a PDF.
    """
    for font in fonts.values():
        for char in COMMON_CHARS:
            font.subset.pick(ord(char))


def use_cached_subsets(fonts: dict[str, Any]) -> Made:
    """Swap in cached subsets for glyph sets seen before; the fonts still to subset."""
    made: Made = {}
    for font in fonts.values():
        key = (font.ttffile, frozenset(font.subset.get_all_glyph_names()))
        cached = _SUBSETS.get(key)
        if cached is None:
            made[key] = font.ttfont
        else:
            font.ttfont = _CachedSubset(*cached)
    return made


def remember_subsets(made: Made) -> None:
    """After output: keep the subsets fpdf2 just made, for the next document."""
    if len(_SUBSETS) + len(made) > SUBSET_CACHE_SIZE:
        _SUBSETS.clear()  # a bound, not an LRU: weeks seldom have this many glyph sets
    _SUBSETS.update(
        {key: saved for key, ttfont in made.items() if (saved := getattr(ttfont, "saved", None))}
    )


class _RecordingTTFont(TTFont):
    """A TTFont that keeps the bytes it saved: fpdf2 saves a font once, as its subset."""

    saved: tuple[bytes, tuple[str, ...]] | None = None  # the file and its glyph names

    def save(self, file: Any, reorderTables: bool | None = True) -> None:  # noqa: N803
        super().save(file, reorderTables)
        if isinstance(file, io.BytesIO):
            self.saved = (file.getvalue(), tuple(self.getGlyphOrder()))


class _CachedSubset(TTFont):
    """A subset made earlier for the same glyphs, embedded as those bytes again.

    fpdf2 runs the fontTools subsetter on every embedded font; re-subsetting
    even a small subset decompiles and recompiles its outlines. This font shows
    the subsetter no table, so it has nothing to do, keeps its glyph order (the
    glyph ids fpdf2 maps the text to) and saves its stored bytes. The result is
    byte-identical to fpdf2's own subsetting (report/test_pdf_fonts.py).
    """

    def __init__(self, subset: bytes, glyph_order: tuple[str, ...]) -> None:
        super().__init__(io.BytesIO(subset), recalcTimestamp=False, lazy=True)
        self.subset_bytes = subset
        self.glyphOrder = list(glyph_order)  # the names; the embedded file keeps none
        self.ids = {name: index for index, name in enumerate(glyph_order)}

    def keys(self) -> list[str]:
        return ["GlyphOrder"]

    def __contains__(self, tag: object) -> bool:
        return tag == "GlyphOrder"

    def setGlyphOrder(self, glyphOrder: list[str]) -> None:  # noqa: N802, N803
        pass  # the subsetter sets the order it kept: the same glyphs, already in order

    def getGlyphID(self, glyphName: str) -> int:  # noqa: N802, N803
        return self.ids[glyphName]

    def save(self, file: Any, reorderTables: bool | None = True) -> None:  # noqa: N803
        file.write(self.subset_bytes)


@functools.lru_cache(maxsize=1)
def _parsed_fonts() -> dict[str, Any]:
    """The DejaVu fonts as `FPDF.add_font` makes them, in the same order (same ids)."""
    scratch = FPDF()
    for style, name in FONT_FILES.items():
        scratch.add_font(FONT, style, os.path.join(FONT_DIR, name))
    return dict(zip(FONT_FILES, scratch.fonts.values(), strict=False))


def _fresh_copy(template: Any) -> Any:
    """The parsed font with this document's own state: glyph subset and font file.

    Metrics (widths, cmap, descriptor) are shared read-only; the fontTools
    object is reopened lazily because writing the PDF subsets it in place.
    """
    from fpdf.fonts import SubsetMap

    font = copy.copy(template)
    font.ttfont = _RecordingTTFont(template.ttffile, recalcTimestamp=False, lazy=True)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    return font


@functools.lru_cache(maxsize=1)
def _font_codepoints() -> frozenset[int]:
    sets = []
    for name in FONT_FILES.values():
        with TTFont(os.path.join(FONT_DIR, name), lazy=True) as font:
            sets.append(set(font["cmap"].getBestCmap()))
    return frozenset(set.intersection(*sets))


def font_codepoints() -> frozenset[int]:
    """The code points both DejaVu styles draw."""
    return _font_codepoints()
