"""A small PNG of the report's first page, for the Dagster UI.

An analyst sees the report in the asset's metadata without downloading it.
Rendered with pdfium, reduced to a 64-colour palette: the cover is text and a
few colours, and the image travels base64-encoded inside the event log.
"""

from __future__ import annotations

import base64
import io

import pypdfium2

PREVIEW_WIDTH_PX = 420
PALETTE_COLOURS = 64


def first_page_png(pdf: bytes, width_px: int = PREVIEW_WIDTH_PX) -> bytes:
    """The first page as a PNG ``width_px`` wide."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.quantize(PALETTE_COLOURS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def preview_markdown(png: bytes, alt_text: str) -> str:
    """Markdown showing the PNG inline (a data: URL; the Dagster UI renders it)."""
    encoded = base64.b64encode(png).decode("ascii")
    return f"![{alt_text}](data:image/png;base64,{encoded})\n"
