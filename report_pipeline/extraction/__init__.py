"""Turn one document's bytes into features: decoded text stats or OCR results.

Pure Python; the orchestration layer calls :func:`extract` per document and
records a DocumentError as a failed document instead of failing the week.
"""

from __future__ import annotations

import os
from typing import Literal

from report_pipeline.extraction.ocr import image_features
from report_pipeline.extraction.text import text_features
from report_pipeline.models import DocumentError

# Bump a version when its extractor's output changes, so cached features of
# earlier runs are recomputed instead of reused.
EXTRACTOR_VERSIONS: dict[str, str] = {"text": "text-1", "image": "ocr-1"}

_TEXT_TYPES = {"text/plain", "text/markdown", "text/x-markdown", "text/csv"}
_IMAGE_TYPES = {
    "image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/tiff",
    "image/gif", "image/bmp", "image/x-ms-bmp", "image/webp",
}
_TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".csv"}
_IMAGE_EXTENSIONS = {
    ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp",
}


def kind_for(content_type: str, filename: str) -> Literal["text", "image"]:
    """Which extractor handles a document; the content type wins over the name.

    The extension is only consulted when the content type is unknown, since
    uploads often arrive as ``application/octet-stream``.
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _TEXT_TYPES:
        return "text"
    if mime in _IMAGE_TYPES:
        return "image"
    extension = os.path.splitext(filename or "")[1].lower()
    if extension in _TEXT_EXTENSIONS:
        return "text"
    if extension in _IMAGE_EXTENSIONS:
        return "image"
    raise DocumentError(
        "decode", f"unsupported content type {content_type!r} for file {filename!r}"
    )


def extract(data: bytes, content_type: str, filename: str) -> tuple[str, dict]:
    """Return (kind, features) or raise DocumentError with a one-line reason."""
    if not data:
        raise DocumentError("read", "empty file")
    kind = kind_for(content_type, filename)
    try:
        features = text_features(data) if kind == "text" else image_features(data)
    except DocumentError:
        raise
    except Exception as exc:  # never let a raw traceback reach the report
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise DocumentError("features", reason) from exc
    return kind, features


__all__ = ["EXTRACTOR_VERSIONS", "extract", "kind_for"]
