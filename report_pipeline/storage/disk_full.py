"""Recognize a full disk behind any error, so people get one line saying what to free.

A full file system surfaces in many shapes: `OSError` ENOSPC/EDQUOT from a file
write, SQLite's "database or disk is full", and (for a WAL database whose shared
memory file cannot grow) SQLite's bare "disk I/O error"; Dagster wraps step errors
into text, so the message is searched too.
"""

from __future__ import annotations

import errno
from pathlib import Path

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_FULL_TEXT = ("no space left on device", "disk quota exceeded", "database or disk is full")
_IO_TEXT = ("disk i/o error",)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def disk_trouble(error: BaseException | str) -> str | None:
    """'full' when the error is a full disk, 'io' for SQLite's disk I/O error, else None."""
    errors = [error] if isinstance(error, str) else _chain(error)
    text = " ".join(str(item) for item in errors).lower()
    if any(getattr(item, "errno", None) in _FULL_ERRNOS for item in errors):
        return "full"
    if any(phrase in text for phrase in _FULL_TEXT):
        return "full"
    return "io" if any(phrase in text for phrase in _IO_TEXT) else None


def disk_full_line(error: BaseException | str, home: Path) -> str | None:
    """The one line for a full (or failing) disk under the state directory, else None."""
    trouble = disk_trouble(error)
    if trouble is None:
        return None
    what = "disk full" if trouble == "full" else "disk full or failing (SQLite: disk I/O error)"
    return (
        f"{what}: cannot write to the state directory {home}; free space on its file system"
        f" (old run logs in {home / 'logs'} can go) and run the same command again: nothing"
        " half-written is kept, nobody is mailed twice"
    )
