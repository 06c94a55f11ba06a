"""Every file a week writes in the embedded default is 0600, every directory 0700."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from report_pipeline.private_files import shared_paths


def test_a_new_process_creates_private_files(tmp_path) -> None:
    # A fresh interpreter with a permissive umask: importing the package tightens it.
    code = (
        "import os; os.umask(0o022); import report_pipeline, pathlib; "
        f"p = pathlib.Path({str(tmp_path)!r}) / 'd'; p.mkdir(); (p / 'f').write_text('x')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "d" / "f").stat().st_mode) == 0o600


def test_shared_paths_finds_group_or_world_access(tmp_path) -> None:
    (tmp_path / "open.txt").write_text("x")
    os.chmod(tmp_path / "open.txt", 0o644)
    os.chmod(tmp_path, 0o700)
    assert shared_paths(tmp_path) == [tmp_path / "open.txt"]
