"""Estimated extraction cost of a document from its kind and size, before reading it.

The unit is one scanned page's OCR (~1 s here). Batches are planned on these
estimates without downloading anything, so they come from the size alone:
a text-layer PDF page costs ~2 ms, but a scanned page is an image of tens to
hundreds of KB, so a PDF's bytes bound how many scanned pages it can hold.
"""

from __future__ import annotations

# A 300 dpi A4 scan is ~50 KB as a CCITT fax, ~300 KB as JPEG: text PDFs of
# that size are rare, so size / this is a fair upper estimate of scanned pages.
SCANNED_PDF_PAGE_BYTES = 100 * 1024
# python-docx parses ~5 MB of .docx per second here.
DOCX_BYTES_PER_PAGE = 5 * 1024 * 1024
MIN_COST = 0.002  # what a short text note costs
# REPORT_PIPELINE_MAX_PAGES when unset: pages of one PDF above which it is a dead letter.
DEFAULT_MAX_PAGES = 500


def estimated_pages(
    kind: str | None, size: int, page_limit: int = DEFAULT_MAX_PAGES
) -> float | None:
    """Estimated OCR pages of a PDF or Word document; None for other kinds."""
    if kind == "pdf":
        # Capped at the page limit: a longer PDF is refused before any OCR.
        return min(float(page_limit), max(MIN_COST, size / SCANNED_PDF_PAGE_BYTES))
    if kind == "docx":
        return MIN_COST + size / DOCX_BYTES_PER_PAGE
    return None
