"""Turn one document's bytes into features: decoded text stats or OCR results.

Pure Python; the orchestration layer calls :func:`extract` per document and
records a DocumentError as a failed document instead of failing the week.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Literal

from report_pipeline.extraction.ocr import image_features
from report_pipeline.extraction.text import text_features, text_features_stream
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


# Signatures of the image formats we read. A file whose bytes say "image" is
# OCR'd whatever its label says: uploads are often mislabelled, and a scan
# must not be lost to a wrong content type. (BMP's "BM" is too weak to trust.)
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
)
# Text up to this size is decoded in memory; larger text is streamed.
IN_MEMORY_TEXT_BYTES = 8 * 1024 * 1024
STREAM_CHUNK_BYTES = 1024 * 1024


def sniff_image(head: bytes) -> str | None:
    """The image format the first bytes announce, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return next((fmt for magic, fmt in _IMAGE_MAGIC if head.startswith(magic)), None)


def kind_of(head: bytes, content_type: str, filename: str) -> Literal["text", "image"]:
    """The content's own signature wins over its label; else the label decides."""
    return "image" if sniff_image(head) else kind_for(content_type, filename)


def extract(data: bytes, content_type: str, filename: str) -> tuple[str, dict]:
    """Return (kind, features) or raise DocumentError with a one-line reason."""
    if not data:
        raise DocumentError("read", "empty file")
    kind = kind_of(data[:16], content_type, filename)
    return kind, _guarded(lambda: _features(kind, data), data[:16], content_type, filename)


def extract_file(handle: IO[bytes], size: int, content_type: str, filename: str) -> tuple[str, dict]:
    """extract() over a seekable file: large text is streamed, never read whole."""
    if size == 0:
        raise DocumentError("read", "empty file")
    handle.seek(0)
    head = handle.read(16)
    kind = kind_of(head, content_type, filename)
    if kind == "text" and size > IN_MEMORY_TEXT_BYTES:
        return kind, _guarded(lambda: text_features_stream(lambda: _chunks(handle)), head,
                              content_type, filename)
    handle.seek(0)
    return kind, _guarded(lambda: _features(kind, handle), head, content_type, filename)


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(STREAM_CHUNK_BYTES):
        yield chunk


def _features(kind: str, data: bytes | IO[bytes]) -> dict:
    if kind == "image":
        return image_features(data)
    return text_features(data if isinstance(data, bytes) else data.read())


def _guarded(compute, head: bytes, content_type: str, filename: str) -> dict:  # noqa: ANN001
    try:
        features = compute()
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError("features", "out of memory while extracting", "MemoryError") from None
    except Exception as exc:  # never let a raw traceback reach the report
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise DocumentError("features", reason, type(exc).__name__) from exc
    fmt = sniff_image(head)
    if fmt and kind_for_or_none(content_type, filename) != "image":
        features["content_type_mismatch"] = f"labelled {content_type or filename!r}, content is {fmt}"
    return features


def kind_for_or_none(content_type: str, filename: str) -> str | None:
    try:
        return kind_for(content_type, filename)
    except DocumentError:
        return None


__all__ = ["EXTRACTOR_VERSIONS", "extract", "extract_file", "kind_for", "kind_of", "sniff_image"]
