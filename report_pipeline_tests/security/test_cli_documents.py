"""Item 10: `documents add` refuses symlinks, special and oversized files; bounded memory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

MB = 1024 * 1024
# Runs the CLI and reports its own peak memory on exit (ru_maxrss is in KiB on Linux).
RUN = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'maxrss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
    "sys.argv = ['report-pipeline', *sys.argv[1:]]\n"
    "from report_pipeline.cli import main\n"
    "main()\n"
)


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "REPORT_PIPELINE_HOME": str(home),
            "DAGSTER_HOME": str(home / "dagster"),
        }
        for name in (
            "REPORT_PIPELINE_DATABASE_URL",
            "REPORT_PIPELINE_OBJECT_STORE",
            "REPORT_PIPELINE_CATALOG",
            "REPORT_PIPELINE_MAILER",
        ):
            self.env.pop(name, None)

    def __call__(self, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, int]:
        result = subprocess.run(
            [sys.executable, "-c", RUN, *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        lines = result.stderr.splitlines()
        peak = int(lines[-1].split("=")[1]) * 1024 if lines and "maxrss" in lines[-1] else 0
        result.stderr = "\n".join(line for line in lines if "maxrss" not in line)
        return result, peak


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")


def _stored(cli: Cli) -> tuple[int, int]:
    """(catalog rows, object files)."""
    path = cli.home / "catalog.sqlite3"
    rows = 0
    if path.exists():
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    objects = cli.home / "objects"
    files = [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []
    return rows, len(files)


def _one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_symlink_is_refused_unless_asked(cli, tmp_path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$hash:19000:0:99999:7:::\n")
    link = tmp_path / "innocent.txt"
    link.symlink_to(secret)
    result, _ = cli("documents", "add", str(link))
    _one_line_error(result, "symbolic link", "--follow-symlinks")
    assert _stored(cli) == (0, 0)
    followed, _ = cli("documents", "add", str(link), "--follow-symlinks")
    assert followed.returncode == 0, followed.stderr
    assert _stored(cli) == (1, 1)


def test_fifo_and_directory_get_their_own_message(cli, tmp_path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result, _ = cli("documents", "add", str(fifo))
    _one_line_error(result, "FIFO")
    result, _ = cli("documents", "add", str(tmp_path))
    _one_line_error(result, "is a directory")
    result, _ = cli("documents", "add", str(tmp_path / "missing.txt"))
    _one_line_error(result, "no such file")
    assert _stored(cli) == (0, 0)


def test_oversized_file_is_refused_and_nothing_stored(cli, tmp_path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(1024 * MB)  # 1 GB, sparse: no disk used
    result, peak = cli("documents", "add", str(big))
    _one_line_error(result, "larger than", "REPORT_PIPELINE_MAX_DOCUMENT_BYTES")
    assert _stored(cli) == (0, 0)
    small_limit, _ = cli("documents", "add", str(big), REPORT_PIPELINE_MAX_DOCUMENT_BYTES=str(MB))
    _one_line_error(small_limit, "larger than")
    assert _stored(cli) == (0, 0)
    print(f"\npeak RSS of `documents add` refusing 1 GB: {peak / MB:.0f} MB")


def test_large_file_is_streamed_in_bounded_memory(cli, tmp_path) -> None:
    baseline, base_peak = cli("documents", "add", str(tmp_path / "none"))
    big = tmp_path / "scan.pdf"
    with big.open("wb") as handle:
        handle.truncate(150 * MB)
    result, peak = cli("documents", "add", str(big))
    assert result.returncode == 0, result.stderr
    assert _stored(cli) == (1, 1)
    stored = next(p for p in (cli.home / "objects").rglob("*") if p.is_file())
    assert stored.stat().st_size == 150 * MB
    print(
        f"\npeak RSS storing 150 MB: {peak / MB:.0f} MB (CLI start alone: {base_peak / MB:.0f} MB)"
    )
    assert peak - base_peak < 50 * MB
    stored.unlink()
