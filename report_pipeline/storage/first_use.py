"""Creating an embedded store is serialized across processes.

Two first starts at once (a cron entry and a person) both create and migrate the
same SQLite files; Dagster's and alembic's migrations are not safe to interleave
and leave a version table with two heads that no later start can open. An
exclusive flock on a file beside the store makes the second start wait until the
first has finished, then find the schema already there.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".init.lock"


@contextmanager
def first_use_lock(directory: Path) -> Iterator[None]:
    """Hold the creation lock of the stores under `directory` (blocks until free)."""
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the flock


def sqlite_directory(url: str) -> Path | None:
    """The directory of a SQLite database file URL (None: not a file on disk)."""
    if not url.startswith("sqlite") or "///" not in url:
        return None
    path = url.split("///", 1)[-1]
    return Path(path).parent if path and path != ":memory:" else None


def version_table_problems(directories: list[Path]) -> list[str]:
    """One line per SQLite store under `directories` whose version table names several
    revisions: the trace of creations that interleaved, which no later start can open."""
    lines = []
    files = {path.resolve() for d in directories if d.is_dir() for path in d.rglob("*")}
    for database in sorted(files):
        if database.suffix in {".db", ".sqlite3"}:
            rows = _version_rows(database)
            if len(rows) > 1:
                lines.append(f"{database}: version table has {len(rows)} heads ({', '.join(rows)})")
    return lines


def _version_rows(database: Path) -> list[str]:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return []  # not a migrated store
    return sorted(row[0] for row in rows)
