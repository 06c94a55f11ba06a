"""Per-page preprocessing decisions: pure functions on synthetic pixel arrays (milliseconds)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from report_pipeline.extraction import page_path as pp


def _strokes(width: int, gap: int = 9, shape: tuple[int, int] = (400, 600)) -> np.ndarray:
    """Grey paper with vertical dark bars `width` px wide: a stand-in for stems."""
    pixels = np.full(shape, 235, np.uint8)
    for x in range(10, shape[1] - 10, width + gap):
        pixels[20:-20, x : x + width] = 20
    return pixels


def test_an_even_grey_page_stays_untouched() -> None:
    stats = pp.measure(Image.fromarray(_strokes(4)))
    assert not stats.bilevel
    assert stats.illumination_spread < pp.MAX_EVEN_SPREAD
    assert pp.choose_path(stats) == pp.UNTOUCHED


def test_a_lamp_on_one_side_is_flattened() -> None:
    pixels = _strokes(4).astype(np.float32) * np.linspace(1.0, 0.45, 600)[None, :]
    stats = pp.measure(Image.fromarray(pixels.astype(np.uint8)))
    assert stats.illumination_spread > pp.MAX_EVEN_SPREAD
    assert pp.choose_path(stats) == pp.FLATTENED


def test_a_one_bit_page_is_never_thresholded_again() -> None:
    bits = Image.fromarray(_strokes(3) < 128).convert("1")
    assert pp.choose_path(pp.measure(bits.convert("L"), one_bit=True)) == pp.BILEVEL
    # Two grey levels only is bilevel too, whatever the file's mode said.
    assert pp.measure(bits.convert("L")).bilevel
    assert pp.second_path(pp.BILEVEL) is None


def test_the_second_candidate_is_the_other_grey_path() -> None:
    assert pp.second_path(pp.UNTOUCHED) == pp.FLATTENED
    assert pp.second_path(pp.FLATTENED) == pp.UNTOUCHED


@pytest.mark.parametrize(("width", "enlarged"), [(1, True), (2, True), (3, False), (5, False)])
def test_thin_strokes_mean_small_text_and_are_enlarged(width: int, enlarged: bool) -> None:
    stats = pp.measure(Image.fromarray(_strokes(width)))
    assert stats.stroke_width == pytest.approx(width, abs=0.01)
    factor = pp.text_upscale(stats)
    assert (factor > 1.0) is enlarged
    assert factor <= pp.MAX_TEXT_UPSCALE


def test_a_blank_page_has_no_stroke_width_and_is_not_enlarged() -> None:
    stats = pp.measure(Image.new("L", (300, 300), 240))
    assert stats.stroke_width == 0.0
    assert pp.text_upscale(stats) == 1.0


def test_doubtful_and_no_text_rules() -> None:
    assert pp.doubtful([]) and pp.doubtful([50.0, 55.0])
    assert not pp.doubtful([90.0, 70.0])
    assert pp.is_no_text([30.0, 25.0, 34.0])  # the garbage a cat's fur yields
    assert not pp.is_no_text([92.0, 88.0])  # a short confident label is text
    assert not pp.is_no_text([40.0] * (pp.NO_TEXT_MAX_WORDS + 1))  # a poor but real page
    assert pp.is_no_text([69.7], "AN")  # what a coffee cup's rim once read as
    assert pp.is_no_text([91.0, 90.0], "- |")
    assert not pp.is_no_text([92.0, 88.0], "Lot 42")


@pytest.mark.parametrize(
    ("dpi", "size"),
    [
        ((204, 98), (1728, 2290)),  # a standard-mode fax: rows stretched back
        ((98, 204), (3597, 1100)),  # the same, turned
        ((204, 196), None),  # a fine fax: square enough
        ((300, 300), None),
        (None, None),  # the file says nothing
        ((0, 0), None),
        ("bad", None),
        ((204, 10), (1728, 4400)),  # a crafted resolution: at most 4x
    ],
)
def test_unequal_resolutions_are_stretched_to_square_pixels(dpi, size) -> None:
    assert pp.square_size((1728, 1100), dpi) == size


def test_a_stretched_one_bit_page_is_despeckled_and_blurred_less_across_its_rows() -> None:
    fine, standard = pp.bilevel_softening(stretched=False), pp.bilevel_softening(stretched=True)
    assert not fine.despeckle and fine.blur[0] == fine.blur[1] > 0
    assert standard.despeckle
    along, across = standard.blur
    assert along > across > 0  # the repeated rows are one scan line: soften them less


def test_every_one_bit_page_has_its_greys_darkened_after_the_blur() -> None:
    for stretched in (False, True):
        assert pp.bilevel_softening(stretched).darken > 1.0  # an exponent: greys go darker


@pytest.mark.parametrize(
    ("dpi", "resolution"),
    [
        ((300, 300), 300.0),
        ((204, 196), 196.0),  # a fine fax is read as square: its rows' resolution
        ((204, 98), 204.0),  # a standard fax is stretched to its resolution across
        ((98, 204), 204.0),  # the same, stored turned
        (None, None),
        ((0, 0), None),
        (("a", "b"), None),
    ],
)
def test_the_resolution_of_square_pixels_comes_from_the_file(dpi, resolution) -> None:
    assert pp.square_resolution(dpi) == resolution


@pytest.mark.parametrize(
    ("size", "low", "high"),
    [
        ((1700, 2200), 199, 206),  # Letter at 200 dpi
        ((2480, 3508), 290, 300),  # A4 at 300 dpi, within 3%
        ((1650, 1275), 150, 153),  # Letter at 150 dpi, landscape
    ],
)
def test_a_sheet_shaped_page_without_a_resolution_is_a_whole_sheet(size, low, high) -> None:
    assert low <= pp.guessed_resolution(size) <= high


@pytest.mark.parametrize(
    "size",
    [
        (512, 512),  # a square photo
        (1600, 900),  # a 16:9 frame
        (400, 520),  # sheet-shaped but ~48 dpi: a thumbnail, not a scan
        (9000, 12000),  # sheet-shaped at ~1000 dpi: not a scanner's resolution
    ],
)
def test_anything_else_is_left_to_tesseracts_own_estimate(size) -> None:
    assert pp.guessed_resolution(size) is None


def test_a_reading_is_labelled_with_the_path_it_took() -> None:
    from report_pipeline.extraction.ocr import PageRead

    assert PageRead("a", [90.0]).labelled(pp.UNTOUCHED, enlarged=False).path == "untouched"
    turned = PageRead("a", [90.0], rotation=180).labelled(pp.BILEVEL, enlarged=True)
    assert turned.path == "bilevel+enlarged+180"
    assert PageRead("", []).labelled(pp.FLATTENED, enlarged=False).path == "no text"
