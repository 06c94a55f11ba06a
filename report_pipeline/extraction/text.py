"""Features of plain-text documents (notes, markdown, CSV exports)."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from report_pipeline.extraction.terms import top_terms
from report_pipeline.models import DocumentError

EXCERPT_CHARS = 2000
MIN_PRINTABLE_RATIO = 0.95

# UTF-32 must come before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters that never occur in real text; \t \n \v \f \r are allowed.
# U+FFFD means a decoder already gave up on some bytes.
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def text_features(data: bytes) -> dict:
    """Decode a text document and describe it.

    Raises DocumentError("decode", ...) when the bytes are not readable text.
    """
    if not data:
        raise DocumentError("read", "empty file")
    text, encoding = decode_text(data)
    return {
        "encoding": encoding,
        "characters": len(text),
        "words": len(text.split()),
        "lines": len(text.splitlines()),
        "top_terms": top_terms(text),
        "excerpt": text[:EXCERPT_CHARS],
    }


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise DocumentError("decode", ...)."""
    text, encoding = _decode(data)
    _require_printable(text)
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec), codecs.lookup(codec).name
    if b"\x00" in data:
        raise DocumentError("decode", "binary content (NUL bytes) in a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    codec = _guess_single_byte(data)
    return _strict(data, codec), codecs.lookup(codec).name


def _strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DocumentError("decode", f"invalid {codec} text at byte {exc.start}") from None


def _guess_single_byte(data: bytes) -> str:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise DocumentError("decode", "no text encoding fits the bytes (binary data?)")
    # charset-normalizer often ranks Central European code pages first for
    # Western text (e.g. French in Latin-1 comes out as cp1250, turning "è"
    # into "č"). Our documents are Western, so among equally clean candidates
    # the Western code page wins.
    for match in matches:
        if match.chaos <= best.chaos and "cp1252" in match.could_be_from_charset:
            return _latin1_if_equivalent(data)
    return best.encoding


def _latin1_if_equivalent(data: bytes) -> str:
    # Without bytes 0x80-0x9F both decode identically; Latin-1 is the name
    # operators recognise, and the only one when those bytes would be controls.
    return "latin-1" if not re.search(b"[\x80-\x9f]", data) else "cp1252"


def _require_printable(text: str) -> None:
    if not text:
        return
    bad = len(_UNPRINTABLE.findall(text))
    ratio = 1 - bad / len(text)
    if ratio < MIN_PRINTABLE_RATIO:
        raise DocumentError(
            "decode", f"not readable text: only {ratio:.0%} printable characters"
        )
