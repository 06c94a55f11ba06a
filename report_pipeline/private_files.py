"""Files holding personal data (the embedded SQLite databases) are readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path


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
