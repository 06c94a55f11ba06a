"""A JSON document of many items written and read back an item a line.

The file stays one JSON object (``head`` fields, then a list of items), so any
reader may still parse it whole; written through a temporary file and read a
line at a time, memory stays bounded however many items a week has.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from report_pipeline.storage.object_store import ObjectStore

# Beyond this size the file being written spills from memory to disk.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024
WRITE_CHUNK_BYTES = 1024 * 1024


def write_items(
    store: ObjectStore, key: str, head: dict[str, Any], field: str, items: Iterable[dict]
) -> str:
    """``{**head, field: [items]}`` under ``key``, one item a line; ``items`` is consumed once."""
    opening = json.dumps({**head, field: []})[: -len("]}")]
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
        pending, size = [opening.encode() + b"\n"], 0
        for number, item in enumerate(items):
            line = (b",\n" if number else b"") + json.dumps(item).encode()
            pending.append(line)
            size += len(line)
            # A write a chunk, not an item: each write lets the threads that produce the
            # items take the GIL, and this thread waits its turn to get it back.
            if size >= WRITE_CHUNK_BYTES:
                spool.write(b"".join(pending))
                pending, size = [], 0
        pending.append(b"\n]}\n")
        spool.write(b"".join(pending))
        spool.seek(0)
        store.put_stream(key, spool, "application/json")
    return key


def iter_items(store: ObjectStore, key: str, field: str) -> Iterator[dict]:
    """The items of ``field`` a line at a time; a file written whole before is parsed whole."""
    lines = _lines(store.iter_chunks(key))
    first = next(lines, b"")
    if not first.rstrip().endswith(f'"{field}": ['.encode()):
        yield from json.loads(first + b"".join(lines))[field]
        return
    for line in lines:
        line = line.strip().rstrip(b",")
        if line and line != b"]}":
            yield json.loads(line)


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes of ``chunks`` split after each newline (kept), the last line unterminated."""
    rest = b""
    for chunk in chunks:
        *whole, rest = (rest + chunk).split(b"\n")
        yield from (line + b"\n" for line in whole)
    if rest:
        yield rest
