"""Several first starts at once on a fresh state directory leave one valid schema.

Real processes, released together, each opening the Dagster instance and the app
database the way every `report-pipeline` command does; afterwards a new process
must open both, and every version table must name exactly one revision.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTS = 4

# Each process says it is up, then waits for the start signal: released together.
RELEASED_TOGETHER = """
import os, sys, time
from pathlib import Path
go = Path(sys.argv[1])
Path(f"{go}.ready-{os.getpid()}").touch()
while not go.exists():
    time.sleep(0.001)
"""

OPEN_BOTH = (
    RELEASED_TOGETHER
    + """
from report_pipeline.cli.common import app_store, local_instance
with local_instance() as instance:
    instance.get_runs(limit=1)
app_store().require_current_schema()
print("ok")
"""
)

UPGRADE_APP_DB = (
    RELEASED_TOGETHER
    + """
from report_pipeline.appdb.store import open_app_store
open_app_store(os.environ["REPORT_PIPELINE_DATABASE_URL"], auto_upgrade=True)
print("ok")
"""
)

PREPARE = (
    RELEASED_TOGETHER
    + """
from report_pipeline.cli import cli
cli(["instance", "prepare"])
"""
)

# What the Dagster webserver, daemon and code server do on start: open the instance
# under DAGSTER_HOME with no lock of ours.
OPEN_AS_DAGSTER_DOES = (
    RELEASED_TOGETHER
    + """
from dagster import DagsterInstance
with DagsterInstance.get() as instance:
    instance.get_runs(limit=1)
print("ok")
"""
)


def _environment(home: Path, database_url: str | None) -> dict[str, str]:
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.update(REPORT_PIPELINE_HOME=str(home), DAGSTER_HOME=str(dagster_home))
    env.pop("REPORT_PIPELINE_DATABASE_URL", None)
    if database_url:
        env["REPORT_PIPELINE_DATABASE_URL"] = database_url
    return env


def _start_at_once(
    env: dict[str, str], go: Path, count: int, script: str = OPEN_BOTH
) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    while len(list(go.parent.glob(f"{go.name}.ready-*"))) < count:
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        time.sleep(0.01)
    go.touch()
    return [
        subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate())
        for p in processes
    ]


def _version_rows(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT * FROM alembic_version").fetchall()


def _assert_all_opened(results: list[subprocess.CompletedProcess]) -> None:
    failures = [r.stderr.strip().splitlines()[-1:] for r in results if r.returncode != 0]
    assert failures == [], failures


def _assert_one_revision_each(home: Path) -> None:
    dagster_dbs = sorted((home / "dagster").rglob("*.db"))
    assert dagster_dbs
    for database in [*dagster_dbs, home / "app.sqlite3"]:
        rows = _version_rows(database)
        assert len(rows) == 1, (database.name, rows)


@pytest.mark.slow
def test_first_starts_at_once_on_sqlite(tmp_path: Path) -> None:
    home = tmp_path / "state"
    env = _environment(home, None)

    _assert_all_opened(_start_at_once(env, tmp_path / "go", STARTS))

    _assert_one_revision_each(home)
    # and the state stays usable: a later start opens both stores
    _assert_all_opened(_start_at_once(env, tmp_path / "go-again", 1))


@pytest.mark.slow
def test_instance_prepare_at_once_readies_the_state_for_dagsters_own_processes(
    tmp_path: Path,
) -> None:
    """`make ui` and the deploy's migrate step, started twice at once on a fresh state."""
    home = tmp_path / "state"
    env = _environment(home, None)

    results = _start_at_once(env, tmp_path / "go", STARTS, PREPARE)

    _assert_all_opened(results)
    assert all("dagster instance ready" in r.stdout for r in results), results
    _assert_one_revision_each(home)
    # Then the webserver, daemon and code server start together and open it unlocked.
    _assert_all_opened(_start_at_once(env, tmp_path / "go-dagster", 3, OPEN_AS_DAGSTER_DOES))
    _assert_all_opened(_start_at_once(env, tmp_path / "go-again", 1))
    _assert_one_revision_each(home)


@pytest.mark.slow
def test_first_starts_at_once_on_postgresql_app_database(tmp_path: Path, postgres_url: str) -> None:
    """`report-pipeline db upgrade` from several hosts at once: one migrates, the others wait."""
    env = _environment(tmp_path / "state", postgres_url)

    _assert_all_opened(_start_at_once(env, tmp_path / "go", STARTS, UPGRADE_APP_DB))
    _assert_all_opened(_start_at_once(env, tmp_path / "go-again", 1, OPEN_BOTH))
