"""Refuse PDF decompression bombs before pdfium reads them.

pdfium inflates a content or object stream whole in memory, so a 1 MB PDF
holding a Flate stream of 1 GB of spaces costs 2 GB of RAM (measured). Every
Flate stream of the file is inflated here first, in fixed-size pieces that
are counted and dropped, and a stream past MAX_INFLATED_STREAM_BYTES makes the
document a dead letter. Streams that are not Flate (JPEG, CCITT, JBIG2 scans)
fail zlib at their first bytes and cost nothing. Chained filters that start
with another codec (e.g. ASCIIHex then Flate) are not checked.
"""

from __future__ import annotations

import re
import zlib
from typing import IO

from report_pipeline.models import DocumentError

# A 600 dpi colour A4 scan is ~105 MB uncompressed; nothing legitimate is larger.
MAX_INFLATED_STREAM_BYTES = 128 * 1024 * 1024
_BLOCK = 1024 * 1024
_PIECE = 1024 * 1024
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")


def check_streams(handle: IO[bytes], limit: int = MAX_INFLATED_STREAM_BYTES) -> None:
    """Raise DocumentError("decode", ...) when a Flate stream inflates past `limit` bytes."""
    try:
        for start in stream_starts(handle):
            size = inflated_size(handle, start, limit)
            if size > limit:
                raise DocumentError(
                    "decode",
                    f"PDF stream at byte {start:,} inflates past "
                    f"{limit // (1024 * 1024)} MB (decompression bomb)",
                    "PdfBomb",
                )
    finally:
        handle.seek(0)


def stream_starts(handle: IO[bytes]) -> list[int]:
    """Offsets where stream data begins (after the `stream` keyword and its line end)."""
    handle.seek(0)
    starts: set[int] = set()
    offset, tail = 0, b""
    while block := handle.read(_BLOCK):
        data = tail + block
        base = offset - len(tail)
        starts.update(base + match.end() for match in _STREAM.finditer(data))
        tail, offset = data[-16:], offset + len(block)
    return sorted(starts)


def inflated_size(handle: IO[bytes], start: int, limit: int) -> int:
    """Bytes the Flate data at `start` inflates to, counting stops just past `limit`."""
    handle.seek(start)
    inflater, total = zlib.decompressobj(), 0
    while not inflater.eof and (chunk := handle.read(_BLOCK)):
        pending = chunk
        while pending and not inflater.eof:
            try:
                total += len(inflater.decompress(pending, _PIECE))
            except zlib.error:
                return total  # not Flate, or damaged: pdfium decides what to make of it
            if total > limit:
                return total
            pending = inflater.unconsumed_tail
    return total
