"""The pixels of a scanned PDF page, to OCR: at 300 dpi, in grayscale.

A scan is read at 300 dpi whatever its own resolution: tesseract reads a 200 dpi
scan scaled up to 300 better than at its own 200 (word recall 0.970 against 0.961
on 40 real pages, BENCHMARKS.md), which is worth its ~1.4x time; finer scans are
scaled down to 300.

A page that is one upright grayscale image of 300 dpi (what scanners and fax
gateways write) is not rendered at all: pdfium decodes the image's own pixels,
~15 ms against ~125 ms to render it, and without the second page-sized buffer a
render needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from report_pipeline.models import DocumentError

RENDER_DPI = 300
# Bounds of one rendered page: an A2 sheet at 300 dpi fits; tesseract refuses
# sides over 32767 px, and below MIN_OCR_DPI small print is unreadable anyway.
MAX_RENDER_PIXELS = 36_000_000
MAX_RENDER_SIDE = 20_000
MIN_OCR_DPI = 100
_POINTS_PER_MM = 72 / 25.4
# An image's own pixels are used when its resolution is this close to the one wanted.
_SAME_DPI = 0.01


@contextmanager
def page_image(page: pdfium.PdfPage, index: int) -> Iterator[Image.Image]:
    """The page in grayscale at 300 dpi (within the pixel bounds); its buffer is freed on exit.

    Raises DocumentError when the page is too large to read at a readable resolution.
    """
    scale = render_scale(*page.get_size(), index)
    bitmap = _own_pixels(page, scale * 72) or page.render(scale=scale, grayscale=True)
    try:  # the image shares the bitmap's buffer: closed once the page is read
        image = bitmap.to_pil()
        image.info["dpi"] = (scale * 72, scale * 72)  # tesseract is told, not left to guess
        yield image
    finally:
        bitmap.close()


def render_scale(width_pt: float, height_pt: float, index: int = 0) -> float:
    """Scale from PDF points to pixels: ~300 dpi, within the pixel bounds, or DocumentError."""
    scale = min(
        RENDER_DPI / 72,
        (MAX_RENDER_PIXELS / max(width_pt * height_pt, 1.0)) ** 0.5,
        MAX_RENDER_SIDE / max(width_pt, height_pt, 1.0),
    )
    if scale * 72 < MIN_OCR_DPI:
        raise DocumentError(
            "decode",
            f"page {index + 1} is {width_pt / _POINTS_PER_MM:,.0f} x "
            f"{height_pt / _POINTS_PER_MM:,.0f} mm: too large to OCR at a readable resolution",
            "PageTooLarge",
        )
    return scale


def _image_dpi(image: pdfium.PdfImage) -> tuple[float, float]:
    """(horizontal, vertical) pixels per inch of an image as placed; (0, 0) if unknown.

    The image is drawn on the unit square mapped by its matrix, whose columns are
    the placed image's sides in points, whatever the turn or skew of the placement.
    """
    try:
        width_px, height_px = image.get_px_size()
        m = image.get_matrix()
    except pdfium.PdfiumError:
        return 0.0, 0.0
    width_in, height_in = (m.a**2 + m.b**2) ** 0.5 / 72, (m.c**2 + m.d**2) ** 0.5 / 72
    if width_in <= 0 or height_in <= 0:
        return 0.0, 0.0
    return width_px / width_in, height_px / height_in


def _own_pixels(page: pdfium.PdfPage, dpi: float) -> pdfium.PdfBitmap | None:
    """The decoded pixels of a page that is one upright grayscale image at `dpi`, or None.

    Anything else is rendered: a turned page or image (the pixels would need turning),
    colour (a render straight to gray holds less), an image mask or a /Decode array
    (pdfium gives those inverted or in colour), or more than one object on the page.
    """
    if page.get_rotation() % 360:
        return None
    objects = page.get_objects(max_depth=1)
    image = next(objects, None)
    if image is None or next(objects, None) is not None:
        return None
    if image.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    m = image.get_matrix()
    if m.b or m.c or m.a <= 0 or m.d <= 0:
        return None
    if any(abs(own - dpi) > dpi * _SAME_DPI for own in _image_dpi(image)):
        return None
    try:
        if image.get_metadata().colorspace != pdfium_c.FPDF_COLORSPACE_DEVICEGRAY:
            return None
        bitmap = image.get_bitmap()
    except pdfium.PdfiumError:
        return None  # rendering says what is wrong with it
    bitmap.warn_on_close = False  # closed only once the page is read, as a rendered one is
    if bitmap.format != pdfium_c.FPDFBitmap_Gray:
        bitmap.close()
        return None
    return bitmap
