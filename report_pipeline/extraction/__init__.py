"""Turn one document's bytes into features: decoded text stats or OCR results.

Pure Python; the orchestration layer calls :func:`extract` per document and
records a DocumentError as a failed document instead of failing the week.

The OCR, PDF and Word extractors (numpy, Pillow, pypdfium2, tesseract,
python-docx) are imported when a document needs them: this package's constants
are read by every process that loads the code location, most of which never
extract anything (the run coordinator, the code server, the CLI).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.extraction.detect import (
    Kind,
    detect,
    kind_for,
    label_kind,
    sniff,
    sniff_image,
)
from report_pipeline.extraction.text import text_features, text_features_stream
from report_pipeline.models import DocumentError

# Bump a version when its extractor's output changes, so cached features of
# earlier runs are recomputed instead of reused.
# ocr-2, pdf-2: orientation, deskew, "no text found" and per-document languages.
# pdf-3: a 300 dpi scan's own pixels are read, not a render of its page.
# ocr-3, pdf-4: preprocessing chosen per page (untouched, flattened, 1-bit), small text enlarged.
# ocr-4: a 1-bit page (a fax) is softened before tesseract thresholds it (PDF pages render grey).
# ocr-5: a standard-mode fax is despeckled, its rows repeated (not interpolated), less blur across.
# ocr-6, pdf-5: tesseract is told the page's resolution (the file's, a sheet's, or its own
# guess) and given raw pixels, never a re-encoded JPEG; a 1-bit page's greys are darkened.
EXTRACTOR_VERSIONS: dict[str, str] = {
    "text": "text-1",
    "image": "ocr-6",
    "pdf": "pdf-5",
    "docx": "docx-1",
}
# Extractors that OCR, whose features depend on the document's language.
OCR_KINDS = frozenset({"image", "pdf"})

# Text up to this size is decoded in memory; larger text is streamed.
IN_MEMORY_TEXT_BYTES = 8 * 1024 * 1024
STREAM_CHUNK_BYTES = 1024 * 1024


def kind_of(head: bytes, content_type: str, filename: str) -> Kind:
    """The content's own signature wins over its label; else the label decides."""
    found = sniff(head)
    return found[0] if found else kind_for(content_type, filename)


def extract(data: bytes, content_type: str, filename: str, **options: Any) -> tuple[str, dict]:
    """Return (kind, features) or raise DocumentError with a one-line reason.

    ``options``: extract_file's ``language`` (the document's OCR languages; None:
    REPORT_PIPELINE_OCR_LANGUAGES) and ``page_limit`` (pages of a PDF above which it
    is refused, REPORT_PIPELINE_MAX_PAGES).
    """
    if not data:
        raise DocumentError("read", "empty file")
    return extract_file(io.BytesIO(data), len(data), content_type, filename, **options)


def extract_file(
    handle: IO[bytes],
    size: int,
    content_type: str,
    filename: str,
    *,
    language: str | None = None,
    page_limit: int = DEFAULT_MAX_PAGES,
) -> tuple[str, dict]:
    """extract() over a seekable file: large text is streamed, never read whole."""
    if size == 0:
        raise DocumentError("read", "empty file")
    kind, mismatch = detect(handle, content_type, filename)
    if kind == "text" and size > IN_MEMORY_TEXT_BYTES:
        compute = lambda: text_features_stream(lambda: _chunks(handle))  # noqa: E731
    else:
        compute = lambda: _features(kind, handle, language, page_limit)  # noqa: E731
    features = _guarded(compute)
    if mismatch:
        features["content_type_mismatch"] = mismatch
    return kind, features


def extract_pdf_part(
    handle: IO[bytes],
    content_type: str,
    filename: str,
    pages: tuple[int, int],
    language: str | None = None,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
) -> dict:
    """Pages [first, stop) of a PDF as a part for merge_parts, or DocumentError.

    A large document's pages are read in several batches and joined with
    merge_parts into the features extract() gives for the whole.
    """
    from report_pipeline.extraction.pdf import pdf_part

    kind, mismatch = detect(handle, content_type, filename)
    if kind != "pdf":
        raise DocumentError("decode", f"not a PDF ({kind}): its pages cannot be split")
    handle.seek(0)
    part = _guarded(lambda: pdf_part(handle, pages, page_limit=page_limit, language=language))
    if mismatch:
        part["content_type_mismatch"] = mismatch
    return part


def merge_pdf_parts(parts: list[dict]) -> dict:
    """merge_parts, with the label note extract() would add."""
    from report_pipeline.extraction.pdf import merge_parts

    features = _guarded(lambda: merge_parts(parts))
    mismatch = next(
        (p["content_type_mismatch"] for p in parts if "content_type_mismatch" in p), None
    )
    if mismatch:
        features["content_type_mismatch"] = mismatch
    return features


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(STREAM_CHUNK_BYTES):
        yield chunk


def _features(
    kind: str, handle: IO[bytes], language: str | None, page_limit: int = DEFAULT_MAX_PAGES
) -> dict:
    handle.seek(0)
    if kind == "image":
        from report_pipeline.extraction.ocr import image_features

        return image_features(handle, language=language)
    if kind == "pdf":
        from report_pipeline.extraction.pdf import pdf_features

        return pdf_features(handle, page_limit=page_limit, language=language)
    if kind == "docx":
        from report_pipeline.extraction.word import docx_features

        return docx_features(handle)
    return text_features(handle.read())


def _guarded(compute) -> dict:
    try:
        return compute()
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError("features", "out of memory while extracting", "MemoryError") from None
    except Exception as exc:  # never let a raw traceback reach the report
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise DocumentError("features", reason, type(exc).__name__) from exc


def kind_for_or_none(content_type: str, filename: str) -> str | None:
    return label_kind(content_type, filename)


__all__ = [
    "EXTRACTOR_VERSIONS",
    "OCR_KINDS",
    "extract",
    "extract_file",
    "extract_pdf_part",
    "merge_pdf_parts",
    "kind_for",
    "kind_for_or_none",
    "kind_of",
    "sniff_image",
]
