"""A state directory whose file system fills up, for real `report-pipeline` processes.

`enospc.c` is preloaded (LD_PRELOAD) into the run and every process it starts: after a
budget of writes it fails each write under the state directory that needs new space
with ENOSPC, as a full file system does, until the budget file is deleted.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOURCE = Path(__file__).with_name("enospc.c")


def build_shim(directory: Path) -> Path | None:
    """The compiled shim, or None where no C compiler is installed."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    library = directory / "enospc.so"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-O1", "-o", str(library), str(SOURCE), "-ldl"],
        check=True,
        capture_output=True,
    )
    return library


class FullDisk:
    """Fills the disk of `tree` at the (budget+1)-th write to a path containing `match`."""

    def __init__(self, library: Path, tree: Path, budget_file: Path) -> None:
        self.library, self.tree, self.budget_file = library, tree, budget_file

    def env(self, base: dict[str, str], match: str, budget: int) -> dict[str, str]:
        self.budget_file.write_text(f"{budget}\n")
        return {
            **base,
            "LD_PRELOAD": str(self.library),
            "ENOSPC_DIR": str(self.tree),
            "ENOSPC_BUDGET": str(self.budget_file),
            "ENOSPC_MATCH": match,
        }

    @property
    def tripped(self) -> bool:
        return int(self.budget_file.read_text()) < 0

    def free(self) -> None:
        self.budget_file.unlink()
