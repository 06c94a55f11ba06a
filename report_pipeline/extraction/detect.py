"""Which extractor reads a document, decided by its bytes before its label.

Uploads are often mislabelled (``application/octet-stream``, a scan named
``.txt``, an export with no extension at all): the content's own signature
wins, so a readable document is never lost to a wrong label. The label only
decides when the bytes say nothing (e.g. BMP, whose "BM" is too weak to trust).
"""

from __future__ import annotations

import os
import zipfile
from typing import IO, Literal

import puremagic

from report_pipeline.models import DocumentError

Kind = Literal["text", "image", "pdf", "docx"]

# How much of the start of a file the signatures and the text check look at.
HEAD_BYTES = 4096
# PDF readers accept the header anywhere in the first KiB (junk before it is common).
PDF_HEADER_WINDOW = 1024
# Text: share of control characters (other than whitespace) above which bytes are binary.
MAX_CONTROL_RATIO = 0.01

TEXT_TYPES = {"text/plain", "text/markdown", "text/x-markdown", "text/csv"}
IMAGE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/pjpeg",
    "image/tiff",
    "image/gif",
    "image/bmp",
    "image/x-ms-bmp",
    "image/webp",
    "image/heic",
    "image/heif",
}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_BY_TYPE: tuple[tuple[set[str], Kind], ...] = (
    (TEXT_TYPES, "text"),
    (IMAGE_TYPES, "image"),
    (PDF_TYPES, "pdf"),
    (DOCX_TYPES, "docx"),
)
_BY_EXTENSION: dict[str, Kind] = {
    **dict.fromkeys((".txt", ".md", ".markdown", ".csv"), "text"),
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp", ".heic", ".heif"),
        "image",
    ),
    ".pdf": "pdf",
    ".docx": "docx",
}

_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
# ISO-BMFF brands of HEIF stills (phone photos); AVIF is the same container.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_WHITESPACE_CONTROLS = frozenset(b"\t\n\v\f\r\x1b")


def kind_for(content_type: str, filename: str) -> Kind:
    """Which extractor the label asks for; the content type wins over the name.

    The extension is only consulted when the content type is unknown, since
    uploads often arrive as ``application/octet-stream``.
    """
    kind = label_kind(content_type, filename)
    if kind is None:
        raise DocumentError(
            "decode", f"unsupported content type {content_type!r} for file {filename!r}"
        )
    return kind


def label_kind(content_type: str, filename: str) -> Kind | None:
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    for types, kind in _BY_TYPE:
        if mime in types:
            return kind
    return _BY_EXTENSION.get(os.path.splitext(filename or "")[1].lower())


def sniff_image(head: bytes) -> str | None:
    """The image format the first bytes announce, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return next((fmt for magic, fmt in _IMAGE_MAGIC if head.startswith(magic)), None)


def sniff(head: bytes) -> tuple[Kind, str] | None:
    """(kind, format name) that the first bytes announce; ZIP is returned as "docx" to check."""
    image = sniff_image(head)
    if image:
        return "image", image
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return "pdf", "PDF"
    if head.startswith(b"PK\x03\x04"):
        return "docx", "ZIP"
    if looks_like_text(head):
        return "text", "text"
    return None


def looks_like_text(head: bytes) -> bool:
    """True when the bytes read as text in some encoding (no NULs, almost no controls)."""
    if not head:
        return False
    if head.startswith(_TEXT_BOMS):
        return True
    if b"\x00" in head:
        return False
    controls = sum(
        1 for byte in head if (byte < 0x20 or byte == 0x7F) and byte not in _WHITESPACE_CONTROLS
    )
    return controls <= MAX_CONTROL_RATIO * len(head)


def detected_kind(head: bytes, content_type: str, filename: str) -> Kind | None:
    """The kind detect() picks from the first HEAD_BYTES, without raising; None: unsupported."""
    found = sniff(head[:HEAD_BYTES])
    return found[0] if found else label_kind(content_type, filename)


def detect(handle: IO[bytes], content_type: str, filename: str) -> tuple[Kind, str | None]:
    """(kind, mismatch note or None) for a seekable file; raises DocumentError when unreadable.

    The note says when the label named another kind than the content, so the
    report can show mislabelled uploads without losing them.
    """
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    labelled = label_kind(content_type, filename)
    found = sniff(head)
    if found is None:
        if labelled is None:
            raise DocumentError("decode", _unsupported(head, content_type, filename))
        return labelled, None  # the bytes say nothing: the label's extractor gives the reason
    kind, fmt = found
    if fmt == "ZIP":
        _require_word_document(handle, content_type, filename)
    if labelled is not None and labelled != kind:
        label = content_type or filename
        return kind, f"labelled {label!r}, content is {fmt if fmt != 'ZIP' else 'DOCX'}"
    return kind, None


def _require_word_document(handle: IO[bytes], content_type: str, filename: str) -> None:
    """A ZIP is only read as a Word file when it holds word/document.xml."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentError("decode", f"corrupt ZIP archive: {exc}", "BadZipFile") from None
    finally:
        handle.seek(0)
    if "word/document.xml" not in names:
        sample = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        raise DocumentError(
            "decode",
            f"a ZIP archive that is not a Word document (no word/document.xml; "
            f"holds {len(names)} entries: {sample or 'none'}), "
            f"labelled {content_type or filename!r}",
            "NotAWordDocument",
        )


def _unsupported(head: bytes, content_type: str, filename: str) -> str:
    try:
        name = puremagic.from_string(head, mime=True) or puremagic.from_string(head)
    except (puremagic.PureError, ValueError):
        name = "unrecognised binary data"
    return f"unsupported content ({name}) with content type {content_type!r} for file {filename!r}"
