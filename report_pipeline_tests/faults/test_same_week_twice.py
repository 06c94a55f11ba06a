"""The same week started several times at once through the CLI: one run renders and
mails, the others are told it is under way (or wait for it), nobody is mailed twice.

Real `report-pipeline run` processes on a seeded embedded state, released together;
the outbox is then counted per recipient and the instance's runs of the week listed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest

from report_pipeline.cli.run import EXIT_UNDER_WAY
from report_pipeline_tests.cli.conftest import Cli

SUBSCRIBERS = [f"reader{number}@example.com" for number in range(20)]
WEEK = "2024-03-04"


def seeded_state(home: Path, seeded_home) -> Cli:
    """Three notes of the week and twenty subscribers (a copy of the seeded state)."""
    return Cli(home).copy_state(seeded_home(SUBSCRIBERS))


def messages_per_recipient(outbox: Path) -> Counter[str]:
    return Counter(
        message_from_bytes(path.read_bytes())["To"].strip().lower() for path in outbox.glob("*.eml")
    )


def runs_of_week(home: Path) -> Counter[str]:
    from dagster import DagsterInstance, RunsFilter
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster"))) as instance:
        runs = instance.get_runs(RunsFilter(tags={"dagster/partition": WEEK}))
    return Counter(run.job_name for run in runs)


def start(cli: Cli, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "report_pipeline.cli", "run", "--week", WEEK, "--json", *args],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen) -> tuple[int, dict, str]:
    out, err = process.communicate(timeout=900)
    return process.returncode, json.loads(out), err


@pytest.mark.slow
def test_three_runs_of_one_week_at_once_render_and_mail_once(tmp_path: Path, seeded_home) -> None:
    home = tmp_path / "home"
    cli = seeded_state(home, seeded_home)

    plain = [start(cli), start(cli)]
    waiting = start(cli, "--wait")
    results = [finished(process) for process in [*plain, waiting]]

    ran = [r for r in results if r[0] == 0 and not r[1].get("waited_for_run_id")]
    refused = [r for r in results if r[0] == EXIT_UNDER_WAY]
    assert len(ran) == 1, [(code, err.strip()[-300:]) for code, _, err in results]
    winner = ran[0][1]
    assert winner["emails_sent"] == 20
    for _code, summary, err in refused:
        assert summary["ok"] is False
        line = err.strip().splitlines()[-1]
        assert line == (
            f"error: a run for week {WEEK} is under way (run {winner['report_run_id']}); wait"
            f" for it with `report-pipeline run --week {WEEK} --wait`"
        ), err
    waited_code, waited, _ = results[2]
    if waited.get("waited_for_run_id"):  # it lost the race: it reports the winner's outcome
        assert waited_code == 0
        assert waited["report_run_id"] == winner["report_run_id"]
        assert waited["pdf_sha256"] == winner["pdf_sha256"]
        assert waited["emails_sent"] == 20
    assert len(refused) == 3 - 1 - bool(waited.get("waited_for_run_id"))

    assert runs_of_week(home) == {"weekly_report_job": 1, "email_job": 1}
    assert messages_per_recipient(home / "outbox") == dict.fromkeys(SUBSCRIBERS, 1)


@pytest.mark.slow
def test_a_second_run_during_the_first_is_refused_or_waits(tmp_path: Path, seeded_home) -> None:
    home = tmp_path / "home"
    cli = seeded_state(home, seeded_home)
    first = start(cli)
    lock = home / "locks" / f"run-{WEEK}.lock"
    while not _held(lock):
        assert first.poll() is None, first.communicate()
        time.sleep(0.2)

    second, waiter = start(cli), start(cli, "--wait")
    code, summary, err = finished(second)
    assert code == EXIT_UNDER_WAY, err
    assert f"a run for week {WEEK} is under way (run " in summary["error"]
    first_code, first_summary, first_err = finished(first)
    waited_code, waited, waited_err = finished(waiter)

    assert first_code == 0, first_err
    assert waited_code == 0, waited_err
    assert waited["waited_for_run_id"]
    assert waited["report_run_id"] == first_summary["report_run_id"]
    assert (waited["emails_sent"], waited["emails_failed"]) == (20, 0)
    assert runs_of_week(home) == {"weekly_report_job": 1, "email_job": 1}
    assert messages_per_recipient(home / "outbox") == dict.fromkeys(SUBSCRIBERS, 1)

    # The week's lock is free again: a later run of the done week runs (and mails nobody).
    again = cli("run", "--week", WEEK, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["emails_sent"] == 0
    assert messages_per_recipient(home / "outbox") == dict.fromkeys(SUBSCRIBERS, 1)


def _held(lock: Path) -> bool:
    import fcntl
    import os

    if not lock.exists():
        return False
    descriptor = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
