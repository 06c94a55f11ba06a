"""Features of PDF documents, page by page: the text layer where there is one, OCR elsewhere.

A page whose text layer holds real text costs a few milliseconds; a scanned
page (an image and no text) is read at 300 dpi (pdf_raster.py) and OCR'd like a
photo.
One page is opened, rendered and OCR'd at a time, so memory does not grow
with the page count. A page that fails is recorded and the others are kept;
only a document with no readable page is a dead letter.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from typing import IO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.extraction.ocr import rendered_page_features
from report_pipeline.extraction.pdf_guard import check_streams
from report_pipeline.extraction.pdf_raster import page_image
from report_pipeline.extraction.text import TextStats
from report_pipeline.models import DocumentError

# A page with fewer letters/digits than this in its text layer, and an image
# on it, is a scan (perhaps with a stamped page number): it is OCR'd.
MIN_TEXT_LAYER_CHARS = 32
PAGE_OCR_TIMEOUT_S = 120
# The whole document's OCR budget: a normal page takes 1-2 s, so a PDF of hung
# or pathological pages ends in bounded time; pages past the budget are failed.
DOCUMENT_OCR_BASE_S = 120
DOCUMENT_OCR_PER_PAGE_S = 10
_ALNUM = re.compile(r"[^\W_]")


@dataclass
class _Totals:
    """What pages [first, stop) of a PDF gave: mergeable with the other parts (merge_parts)."""

    pages: int  # of the whole document
    first: int = 0
    stop: int = 0
    stats: TextStats = field(default_factory=TextStats)
    text_layer: int = 0
    ocr: int = 0
    ocr_words: int = 0
    # Sum of (page confidence in tenths x its words): integers, so a merge is exact.
    confidence_tenths: int = 0
    failed: list[dict] = field(default_factory=list)
    deadline: float = float("inf")
    language: str | None = None  # the document's OCR languages, for scanned pages

    def ocr_timeout(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise DocumentError(
                "ocr", "not read: the document's OCR time budget ran out", "OcrTimeout"
            )
        return min(PAGE_OCR_TIMEOUT_S, remaining)

    def to_part(self) -> dict:
        return {
            "pages": self.pages,
            "first": self.first,
            "stop": self.stop,
            "text": self.stats.state(),
            "pages_text_layer": self.text_layer,
            "pages_ocr": self.ocr,
            "ocr_words": self.ocr_words,
            "confidence_tenths": self.confidence_tenths,
            "pages_failed": self.failed,
        }


def pdf_features(
    source: bytes | IO[bytes], *, page_limit: int = DEFAULT_MAX_PAGES, language: str | None = None
) -> dict:
    """Read every page of a PDF; raises DocumentError when the document cannot be used."""
    return merge_parts([pdf_part(source, page_limit=page_limit, language=language)])


def pdf_part(
    source: bytes | IO[bytes],
    pages: tuple[int, int] | None = None,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    language: str | None = None,
) -> dict:
    """Read pages [first, stop) (0-based; None: all) into a part for merge_parts.

    Raises DocumentError when the document itself cannot be used (encrypted,
    corrupt, over `page_limit` pages: REPORT_PIPELINE_MAX_PAGES); a page that
    fails is recorded in the part.
    """
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    check_streams(handle)  # pdfium inflates a stream whole: refuse bombs before it does
    document = _open(handle)
    try:
        count = _page_count(document, page_limit)
        first, stop = (0, count) if pages is None else (max(0, pages[0]), min(count, pages[1]))
        totals = _Totals(
            count,
            first,
            max(first, stop),
            deadline=time.monotonic()
            + DOCUMENT_OCR_BASE_S
            + DOCUMENT_OCR_PER_PAGE_S * max(0, stop - first),
            language=language,
        )
        for index in range(first, stop):
            _read_page(document, index, totals)
    finally:
        document.close()
    return totals.to_part()


def merge_parts(parts: list[dict]) -> dict:
    """The features of one PDF from parts covering all its pages (in any order).

    Pure: reading the document whole and reading it in page ranges then merging
    give the same features. Raises DocumentError when no page could be read,
    ValueError when the parts do not cover the document exactly once.
    """
    parts = sorted(parts, key=lambda part: part["first"])
    count = parts[0]["pages"] if parts else 0
    edges = [(part["first"], part["stop"]) for part in parts]
    if not parts or any(part["pages"] != count for part in parts) or not _covers(edges, count):
        raise ValueError(f"page ranges {edges} do not cover a {count}-page document once")
    failed = [page for part in parts for page in part["pages_failed"]]
    if len(failed) == count:
        first = failed[0]
        reason = (
            first["reason"]
            if count == 1
            else (f"none of its {count} pages could be read; page 1: {first['reason']}")
        )
        raise DocumentError(first["stage"], reason, first["error_class"])
    stats = TextStats.merged([part["text"] for part in parts])
    features = stats.features("pdf")
    del features["encoding"]
    ocr_words = sum(part["ocr_words"] for part in parts)
    tenths = sum(part["confidence_tenths"] for part in parts)
    return {
        **features,
        "word_count": features["words"],
        "pages": count,
        "pages_text_layer": sum(part["pages_text_layer"] for part in parts),
        "pages_ocr": sum(part["pages_ocr"] for part in parts),
        "pages_failed": failed,
        "ocr_confidence": round(tenths / ocr_words / 10, 1) if ocr_words else None,
    }


def _covers(edges: list[tuple[int, int]], count: int) -> bool:
    position = 0
    for first, stop in edges:
        if first != position or stop <= first:
            return False
        position = stop
    return position == count


def inspect_pages(
    source: IO[bytes], *, page_limit: int = DEFAULT_MAX_PAGES, budget_s: float = 10.0
) -> tuple[int, list[int]] | None:
    """(page count, 0-based indices of the pages that need OCR), without OCR or rendering.

    The same test as extraction (text layer or not), ~1 ms a page: it lets
    batches be planned by scanned pages. None when the PDF cannot be opened or
    is over the page limit (extraction then gives the reason); pages left when
    the time budget runs out count as scanned.
    """
    try:
        check_streams(source)
        document = _open(source)
    except DocumentError:
        return None
    try:
        count = len(document)
        if count == 0 or count > page_limit:
            return None
        deadline, scanned = time.monotonic() + budget_s, []
        for index in range(count):
            if time.monotonic() > deadline or _page_needs_ocr(document, index):
                scanned.append(index)
        return count, scanned
    finally:
        document.close()


def _page_needs_ocr(document: pdfium.PdfDocument, index: int) -> bool:
    page = None
    try:
        page = document[index]
        return _needs_ocr(page, _text_layer(page))
    except Exception:  # a broken page: planned as costly; extraction records why
        return True
    finally:
        if page is not None:
            page.close()


def _needs_ocr(page: pdfium.PdfPage, text: str) -> bool:
    return len(_ALNUM.findall(text)) < MIN_TEXT_LAYER_CHARS and _has_image(page)


def _open(source: bytes | IO[bytes]) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise DocumentError(
                "decode", "encrypted PDF: a password is needed to open it", "EncryptedPdf"
            ) from None
        raise DocumentError(
            "decode", f"corrupt or unreadable PDF: {_one_line(message)}", "CorruptPdf"
        ) from None


def _page_count(document: pdfium.PdfDocument, limit: int) -> int:
    count = len(document)
    if count == 0:
        raise DocumentError("decode", "PDF has no pages", "EmptyPdf")
    if count > limit:
        raise DocumentError(
            "decode",
            f"PDF has {count:,} pages, over the limit of {limit:,} (REPORT_PIPELINE_MAX_PAGES)",
            "TooManyPages",
        )
    return count


def _read_page(document: pdfium.PdfDocument, index: int, totals: _Totals) -> None:
    """Add one page's text to the totals, or record why it could not be read."""
    page = None
    try:
        page = document[index]
        text = _text_layer(page)
        if _needs_ocr(page, text):
            text = _ocr_page(page, index, totals)
            totals.ocr += 1
        else:
            totals.text_layer += 1
        totals.stats.feed(text + "\n")
    except DocumentError as error:
        totals.failed.append(_failure(index, error.stage, error.reason, error.error_class))
    except Exception as exc:  # pdfium and Pillow raise many types for broken pages
        totals.failed.append(
            _failure(index, "decode", _one_line(f"{type(exc).__name__}: {exc}"), type(exc).__name__)
        )
    finally:
        if page is not None:
            page.close()


def _text_layer(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range()
    finally:
        textpage.close()


def _has_image(page: pdfium.PdfPage) -> bool:
    images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3)
    return next(images, None) is not None


def _ocr_page(page: pdfium.PdfPage, index: int, totals: _Totals) -> str:
    """OCR one scanned page; its pixels are freed before returning."""
    totals.ocr_timeout()  # raises before rendering when the budget has run out
    with page_image(page, index) as image:
        features = rendered_page_features(
            image, timeout_s=totals.ocr_timeout(), language=totals.language
        )
    words = int(features.get("word_count") or 0)
    if features.get("ocr_confidence") is not None:
        totals.ocr_words += words
        totals.confidence_tenths += round(float(features["ocr_confidence"]) * 10) * words
    return features.get("ocr_text") or ""


def _failure(index: int, stage: str, reason: str, error_class: str | None) -> dict:
    return {
        "page": index + 1,
        "stage": stage,
        "reason": reason,
        "error_class": error_class or "DocumentError",
    }


def _one_line(message: str) -> str:
    return " ".join(message.split())[:300]
