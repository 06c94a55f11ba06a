"""Files at rest hold patient data: only the service's own user may read them.

One process-wide umask, set by every entry point (CLI, Dagster code location,
API) before anything is written: files are then created 0600 and directories
0700 everywhere (SQLite databases and their journals, objects, outbox .eml,
feature cache, manifests, Dagster's storage) without a chmod at each write.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def apply_private_umask() -> None:
    """Make every file and directory this process (and its children) creates private."""
    os.umask(PRIVATE_UMASK)


def shared_paths(root: Path) -> list[Path]:
    """Files or directories under `root` that group or others may access."""
    found = []
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if stat.S_IMODE(path.lstat().st_mode) & 0o077:
            found.append(path)
    return found


def private_file(path: Path) -> None:
    """Create `path` (and a missing parent) owner-only, or make an existing file so (0600).

    SQLite gives its -wal and -shm files the main file's mode, so they follow.
    """
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)
