"""Features of plain-text documents (notes, markdown, CSV exports)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator

import charset_normalizer

from report_pipeline.extraction.terms import TermCounter
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
# Exactly the separators str.splitlines() uses, CRLF counted once.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
SAMPLE_BYTES = 1024 * 1024  # how much of a non-UTF-8 stream guesses its code page
MAX_CARRY_CHARS = 1024 * 1024


def text_features(data: bytes) -> dict:
    """Decode a text document and describe it.

    Raises DocumentError("decode", ...) when the bytes are not readable text.
    """
    if not data:
        raise DocumentError("read", "empty file")
    text, encoding = decode_text(data)
    stats = TextStats()
    stats.feed(text)
    return stats.features(encoding)


def text_features_stream(open_chunks: Callable[[], Iterator[bytes]]) -> dict:
    """text_features over a stream of byte chunks, in memory bounded by the chunk size.

    `open_chunks` starts the stream from the beginning; it is called a second
    time only when the text turns out not to be UTF-8 and must be re-decoded
    with a single-byte code page guessed from a sample.
    """
    first = next(iter(open_chunks()), b"")
    if not first:
        raise DocumentError("read", "empty file")
    codec = next((codec for bom, codec in _BOMS if first.startswith(bom)), "utf-8")
    try:
        return _stream_features(open_chunks(), codec)
    except _NotUtf8 as failure:
        return _stream_features(open_chunks(), _guess_single_byte(failure.sample))


class _NotUtf8(Exception):
    def __init__(self, sample: bytes) -> None:
        self.sample = sample


def _stream_features(chunks: Iterator[bytes], codec: str) -> dict:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    bom_free = codec == "utf-8"  # BOM codecs may legitimately carry NUL bytes (UTF-16/32)
    stats, carry, offset = TextStats(), "", 0
    for chunk in chunks:
        if bom_free and b"\x00" in chunk:
            raise DocumentError("decode", "binary content (NUL bytes) in a text document")
        try:
            text = carry + decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            if codec == "utf-8":
                raise _NotUtf8(
                    chunk[max(0, exc.start - SAMPLE_BYTES // 2) :][:SAMPLE_BYTES]
                ) from None
            raise DocumentError(
                "decode", f"invalid {codec} text at byte {offset + exc.start}"
            ) from None
        offset += len(chunk)
        piece, carry = _split_at_safe_boundary(text)
        stats.feed(piece)
    try:
        stats.feed(carry + decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise DocumentError("decode", f"{codec} text ends in the middle of a character") from None
    stats.require_printable()
    return stats.features(codecs.lookup(codec).name)


def _split_at_safe_boundary(text: str) -> tuple[str, str]:
    """Cut after the last space, tab or LF, so no word and no CRLF is split.

    A carry longer than MAX_CARRY_CHARS (a huge "word", i.e. garbage) is cut
    anyway so memory stays bounded; counts may then be off by one word.
    """
    index = max(text.rfind("\n"), text.rfind(" "), text.rfind("\t"))
    if index >= 0:
        return text[: index + 1], text[index + 1 :]
    if len(text) > MAX_CARRY_CHARS:
        cut = len(text) - 1 if text.endswith("\r") else len(text)
        return text[:cut], text[cut:]
    return "", text


class TextStats:
    """Counts over a text fed in pieces cut at whitespace (see _split_at_safe_boundary).

    Fed one whole text, it gives exactly what the in-memory path always gave.
    """

    def __init__(self) -> None:
        self.characters = self.words = self.breaks = self.unprintable = 0
        self.last_char = ""
        self.terms = TermCounter()
        self.excerpt = ""

    def feed(self, piece: str) -> None:
        if not piece:
            return
        self.characters += len(piece)
        self.words += len(piece.split())
        self.breaks += len(_LINE_BREAK.findall(piece))
        self.unprintable += len(_UNPRINTABLE.findall(piece))
        self.terms.add(piece)
        if len(self.excerpt) < EXCERPT_CHARS:
            self.excerpt += piece[: EXCERPT_CHARS - len(self.excerpt)]
        self.last_char = piece[-1]

    @property
    def lines(self) -> int:
        # What str.splitlines() would count: one per break, plus an unterminated last line.
        if not self.characters:
            return 0
        return self.breaks + (0 if _LINE_BREAK.fullmatch(self.last_char) else 1)

    def state(self) -> dict:
        """Everything features() needs, as JSON: parts of one text are merged with merged()."""
        return {
            "characters": self.characters,
            "words": self.words,
            "breaks": self.breaks,
            "unprintable": self.unprintable,
            "last_char": self.last_char,
            "terms": dict(self.terms.counts),
            "excerpt": self.excerpt,
        }

    @classmethod
    def merged(cls, states: list[dict]) -> TextStats:
        """The stats of a text fed in consecutive pieces, from each piece's state() in order.

        Exact when the pieces were cut where feed() calls were (e.g. PDF pages).
        """
        stats = cls()
        for state in states:
            stats.characters += state["characters"]
            stats.words += state["words"]
            stats.breaks += state["breaks"]
            stats.unprintable += state["unprintable"]
            stats.terms.counts.update(state["terms"])
            stats.excerpt = (stats.excerpt + state["excerpt"])[:EXCERPT_CHARS]
            stats.last_char = state["last_char"] or stats.last_char
        return stats

    def require_printable(self) -> None:
        _check_printable(self.unprintable, self.characters)

    def features(self, encoding: str) -> dict:
        return {
            "encoding": encoding,
            "characters": self.characters,
            "words": self.words,
            "lines": self.lines,
            "top_terms": self.terms.top(),
            "excerpt": self.excerpt,
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
    _check_printable(len(_UNPRINTABLE.findall(text)), len(text))


def _check_printable(bad: int, total: int) -> None:
    if not total:
        return
    ratio = 1 - bad / total
    if ratio < MIN_PRINTABLE_RATIO:
        raise DocumentError("decode", f"not readable text: only {ratio:.0%} printable characters")
