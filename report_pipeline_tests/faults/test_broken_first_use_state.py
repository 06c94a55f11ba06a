"""A state already broken by interleaved first starts is named in one line, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "report_pipeline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_two_version_heads_are_named_with_their_repair(tmp_path: Path) -> None:
    home, dagster_home = tmp_path / "state", tmp_path / "state" / "dagster"
    dagster_home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.update(REPORT_PIPELINE_HOME=str(home), DAGSTER_HOME=str(dagster_home))
    env.pop("REPORT_PIPELINE_DATABASE_URL", None)
    create = "from report_pipeline.cli.common import local_instance\nwith local_instance(): pass"
    subprocess.run([sys.executable, "-c", create], env=env, check=True, timeout=300)
    runs_db = next(dagster_home.rglob("runs.db"))
    with sqlite3.connect(runs_db) as connection:  # what two interleaved creations leave
        connection.execute("INSERT INTO alembic_version VALUES ('0000000000aa')")

    doctor = _cli(env, "doctor")
    broken = [line for line in doctor.stdout.splitlines() if "version tables" in line]

    assert doctor.returncode == 1
    assert len(broken) == 1 and str(runs_db) in broken[0] and "fix:" in broken[0]
    assert "Traceback" not in doctor.stdout + doctor.stderr
    run = _cli(env, "run", "--week", "2025-03-03")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "more than one head" in run.stderr and "report-pipeline doctor" in run.stderr
