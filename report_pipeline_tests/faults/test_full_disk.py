"""The state directory's disk fills up during the report step and during the email step.

What the operator sees: one `error: disk full...` line saying what to free, no traceback.
What is kept: no report row with a PDF for a file that was never written, no delivery
`sent` without its message. After freeing space the same command finishes the week:
one report, exactly one message per recipient.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from report_pipeline_tests.cli.conftest import Cli
from report_pipeline_tests.faults.full_disk import FullDisk, build_shim
from report_pipeline_tests.faults.test_same_week_twice import messages_per_recipient

WEEK = "2024-03-04"
SUBSCRIBERS = [f"reader{number}@example.com" for number in range(5)]


@pytest.fixture
def full_disk(tmp_path: Path, seeded_home) -> tuple[Cli, FullDisk]:
    library = build_shim(tmp_path)
    if library is None:
        pytest.skip("no C compiler for the ENOSPC shim")
    home = tmp_path / "home"
    cli = Cli(home).copy_state(seeded_home(SUBSCRIBERS))  # three notes, five subscribers
    cli.env["REPORT_PIPELINE_DELIVERY_LEASE_SECONDS"] = "3"  # a crashed sender's rows free soon
    return cli, FullDisk(library, home, tmp_path / "budget")


def run_week(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "report_pipeline.cli", "run", "--week", WEEK, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def app_rows(home: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(home / "app.sqlite3") as db:
        reports = db.execute("SELECT scope, state, pdf_key FROM reports ORDER BY id").fetchall()
        deliveries = db.execute("SELECT email, status FROM deliveries ORDER BY email").fetchall()
    return reports, deliveries


def assert_one_disk_full_line(failed: subprocess.CompletedProcess, home: Path) -> None:
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr, failed.stderr[-2000:]
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, failed.stderr
    assert errors[0].startswith("error: disk full"), errors[0]
    assert f"cannot write to the state directory {home}; free space" in errors[0]
    assert json.loads(failed.stdout)["error"] == errors[0].removeprefix("error: ")


def assert_no_partial_files(home: Path) -> None:
    assert not [p for p in home.rglob(".tmp-*") if "dagster" not in p.parts]


def assert_recovered(cli: Cli, home: Path, disk: FullDisk) -> dict:
    disk.free()
    again = run_week(cli.env)
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout)
    reports, deliveries = app_rows(home)
    assert sorted(scope for scope, state, _ in reports if state == "succeeded") == ["acme", "all"]
    pdf = Path(summary["pdf_path"])
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    assert deliveries == [(email, "sent") for email in SUBSCRIBERS]
    assert messages_per_recipient(home / "outbox") == dict.fromkeys(SUBSCRIBERS, 1)
    assert summary["work_waiting"] is None
    assert_no_partial_files(home)
    return summary


@pytest.mark.slow
def test_disk_full_while_the_report_is_written(full_disk) -> None:
    cli, disk = full_disk
    failed = run_week(disk.env(cli.env, match="/objects/reports/", budget=0))
    assert disk.tripped, "the disk must have filled during the run"
    assert_one_disk_full_line(failed, cli.home)

    reports, deliveries = app_rows(cli.home)
    assert [(scope, pdf) for scope, _state, pdf in reports if pdf] == [], reports
    assert not [state for _scope, state, _ in reports if state == "succeeded"]
    assert deliveries == []
    assert not (cli.home / "outbox").exists() or not list((cli.home / "outbox").iterdir())
    assert not list((cli.home / "objects").rglob("*.pdf"))
    assert_no_partial_files(cli.home)

    assert_recovered(cli, cli.home, disk)


@pytest.mark.slow
def test_disk_full_after_two_of_five_messages(full_disk) -> None:
    cli, disk = full_disk
    failed = run_week(disk.env(cli.env, match="/outbox/", budget=2))
    assert disk.tripped
    assert_one_disk_full_line(failed, cli.home)

    _reports, deliveries = app_rows(cli.home)
    sent = sorted(email for email, status in deliveries if status == "sent")
    # A row is `sent` only when its message is complete in the outbox, and each message is whole.
    assert sorted(messages_per_recipient(cli.home / "outbox")) == sent
    assert len(sent) == 2, deliveries
    assert_no_partial_files(cli.home)
    waiting = [line for line in failed.stderr.splitlines() if line.startswith("work waiting:")]
    assert waiting == [
        f"work waiting: 3 emails of week {WEEK} not sent yet — run `report-pipeline run --week"
        f" {WEEK}` (or `report-pipeline deliveries work --until-idle`)"
    ], failed.stderr

    assert_recovered(cli, cli.home, disk)
