"""Crash-safe file writes: readers see the old file or the complete new one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a temp file in its directory, then rename.

    The temp file must live in the same directory for `os.replace` to be atomic;
    fsync of the file and of the directory makes both data and rename survive a crash.
    """
    write_stream_atomically(target, (data,))


def write_stream_atomically(target: Path, chunks: Iterable[bytes]) -> int:
    """Like `write_atomically`, from chunks (constant memory); returns the bytes written.

    If `chunks` raises (too large, read error), the target is untouched.
    """
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    written = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                written += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return written


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
