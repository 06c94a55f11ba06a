"""A scanned page's pixels at 300 dpi: decoded without a render where the page is one
upright grayscale image of 300 dpi, rendered (and so drawn right) otherwise."""

from __future__ import annotations

import io
import zlib

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from report_pipeline.extraction import pdf_raster
from report_pipeline.models import DocumentError
from report_pipeline_tests.extraction.pdf_files import build_pdf, scanned_pdf

LETTER_PT = (612, 792)


@pytest.fixture
def renders(monkeypatch) -> list[float]:
    """The scales pages are rendered at (a page read from its image's own pixels adds none)."""
    calls: list[float] = []
    render = pdfium.PdfPage.render

    def recording(self, *args, **kwargs):
        calls.append(kwargs["scale"])
        return render(self, *args, **kwargs)

    monkeypatch.setattr(pdfium.PdfPage, "render", recording)
    return calls


def sheet(dpi: int, mode: str = "L") -> Image.Image:
    """A letter page at `dpi`: white, with a black bar across its top quarter."""
    image = Image.new("L", (round(8.5 * dpi), 11 * dpi), 255)
    ImageDraw.Draw(image).rectangle((0, 0, image.width, image.height // 4), fill=0)
    return image.convert(mode)


def read(data: bytes) -> Image.Image:
    page = pdfium.PdfDocument(data)[0]
    with pdf_raster.page_image(page, 0) as image:
        return image.copy()


def one_image_page(image_dict: bytes, pixels: bytes, page_extra: bytes = b"") -> bytes:
    """A letter page holding one Flate-encoded image over the whole page."""
    data = zlib.compress(pixels)
    content = b"q 0 0 0 rg %d 0 0 %d 0 0 cm /Im0 Do Q" % LETTER_PT
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R %s"
            b"/Resources << /XObject << /Im0 5 0 R >> >> >>" % (*LETTER_PT, page_extra),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image %s /Filter /FlateDecode /Length %d >>\nstream\n"
            % (image_dict, len(data))
            + data
            + b"\nendstream",
        ]
    )


def bar_pixels(width: int, height: int) -> bytes:
    """1-bit rows, 1 = white: black over the top quarter."""
    row_bytes = (width + 7) // 8
    return b"".join((b"\x00" if y < height // 4 else b"\xff") * row_bytes for y in range(height))


def assert_bar_on_top(image: Image.Image) -> None:
    """Black at the top, white below, as the page is drawn."""
    assert image.mode == "L"
    assert image.getpixel((image.width // 2, image.height // 8)) < 64
    assert image.getpixel((image.width // 2, image.height * 3 // 4)) > 192


def test_a_grayscale_scan_of_300_dpi_is_read_from_its_own_pixels(renders) -> None:
    image = read(scanned_pdf(sheet(300), dpi=300))
    assert renders == [] and image.size == sheet(300).size
    assert_bar_on_top(image)


@pytest.mark.parametrize("dpi", [100, 200, 290, 400])
def test_a_scan_of_another_resolution_is_rendered_at_300_dpi(renders, dpi) -> None:
    image = read(scanned_pdf(sheet(dpi), dpi=dpi))
    assert renders == [pytest.approx(300 / 72)]
    assert image.size == pytest.approx((8.5 * 300, 11 * 300), abs=1)
    assert_bar_on_top(image)


def test_a_colour_scan_is_rendered_to_grayscale(renders) -> None:
    buffer = io.BytesIO()
    sheet(300, "RGB").save(buffer, format="PDF", resolution=300)
    image = read(buffer.getvalue())
    assert renders == [pytest.approx(300 / 72)]
    assert_bar_on_top(image)


def test_a_fax_page_of_one_bit_pixels_is_read_from_its_own_pixels(renders) -> None:
    buffer = io.BytesIO()
    sheet(300, "1").save(buffer, format="PDF", resolution=300)  # CCITT G4, as fax gateways
    assert_bar_on_top(read(buffer.getvalue()))
    assert renders == []


def test_an_image_mask_is_rendered_so_its_ink_stays_black(renders) -> None:
    # A stencil: 0 = paint with the fill colour (black), 1 = leave the page as it is.
    # pdfium decodes its bits as gray pixels the other way round.
    width, height = 2550, 3300
    data = one_image_page(
        b"/Width %d /Height %d /ImageMask true /BitsPerComponent 1" % (width, height),
        bar_pixels(width, height),
    )
    assert_bar_on_top(read(data))
    assert renders == [pytest.approx(300 / 72)]


def test_an_inverting_decode_array_is_rendered_as_drawn(renders) -> None:
    width, height = 2550, 3300
    inverted = bytes(255 - b for b in bar_pixels(width, height))
    data = one_image_page(
        b"/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Decode [1 0]"
        % (width, height),
        inverted,
    )
    assert_bar_on_top(read(data))
    assert renders == [pytest.approx(300 / 72)]


def test_a_turned_page_is_rendered_upright_as_a_viewer_shows_it(renders) -> None:
    width, height = 2550, 3300
    data = one_image_page(
        b"/Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1" % (width, height),
        bar_pixels(width, height),
        page_extra=b"/Rotate 90 ",
    )
    image = read(data)
    assert renders == [pytest.approx(300 / 72)]
    assert image.size == pytest.approx((3300, 2550), abs=1)  # landscape, as displayed
    assert image.getpixel((image.width * 7 // 8, image.height // 2)) < 64  # the bar: right


def test_a_page_with_more_than_its_scan_is_rendered_whole(renders) -> None:
    scan = io.BytesIO(scanned_pdf(sheet(300), dpi=300))
    document = pdfium.PdfDocument(scan)
    page = document[0]
    stamp = pdfium.PdfImage.new(document)
    stamp.set_bitmap(pdfium.PdfBitmap.from_pil(Image.new("L", (50, 50), 0)))
    stamp.set_matrix(pdfium.PdfMatrix().scale(36, 36).translate(500, 20))
    page.insert_obj(stamp)
    page.gen_content()
    with pdf_raster.page_image(page, 0) as image:
        # The stamp: 36 pt square at (500, 20) pt from the bottom left, at 300 dpi.
        assert image.getpixel((round(518 * 300 / 72), image.height - round(38 * 300 / 72))) < 64
        assert image.info["dpi"] == pytest.approx((300, 300))  # tesseract is told, not guessing
    assert renders == [pytest.approx(300 / 72)]


def test_render_scale_is_300_dpi_within_the_pixel_bounds() -> None:
    assert pdf_raster.render_scale(595, 842) == pytest.approx(300 / 72)  # A4
    a0 = pdf_raster.render_scale(2384, 3370)  # A0: bounded by pixels, still over 100 dpi
    assert 2384 * 3370 * a0**2 <= pdf_raster.MAX_RENDER_PIXELS * 1.0001
    with pytest.raises(DocumentError):
        pdf_raster.render_scale(28346, 842)
