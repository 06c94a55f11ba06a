"""One `report-pipeline run` per week at a time, under the API's rule.

The API refuses a second report of a week while one is in progress (an active
report row: `appdb.reports.active_report`). A CLI run follows the same rule, and
also sees another CLI run of the week before that run has written its row: each
run holds an exclusive flock on a per-week file under the state directory for
its whole length. The kernel drops the lock when the holder dies (even by
SIGKILL), so a killed run never blocks the week; its row, left `running`, is
then recognised as stale (a CLI-launched run whose lock is free) and taken over.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from report_pipeline.appdb.reports import active_report
from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.store import AppStore
from report_pipeline.names import EMAILS_BY_LAUNCHER, EMAILS_TAG, PARTITION_TAG

# How long a second run looks for the first one's Dagster run id (it may still be starting).
RUN_ID_GRACE_SECONDS = 10.0


class WeekUnderWay(Exception):
    """Another run of the week is in progress; `run_id` is its Dagster run (None: not known)."""

    def __init__(self, week: date, run_id: str | None) -> None:
        self.week = week
        self.run_id = run_id
        which = f"run {run_id}" if run_id else "its run id is not recorded yet"
        super().__init__(
            f"a run for week {week} is under way ({which}); wait for it with"
            f" `report-pipeline run --week {week} --wait`"
        )


def claim_path(home: Path, week: date) -> Path:
    return home / "locks" / f"run-{week.isoformat()}.lock"


@contextmanager
def week_claim(home: Path, app: AppStore, instance, week: date, wait: bool) -> Iterator[None]:
    """Hold the week for this run, or raise `WeekUnderWay` (with `wait`: block until
    the other run ends, then raise `WaitedFor` so its outcome is reported instead)."""
    path = claim_path(home, week)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            run_id = _run_in_progress(instance, week, RUN_ID_GRACE_SECONDS)
            if not wait:
                raise WeekUnderWay(week, run_id) from None
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            raise WaitedFor(week, run_id) from None
        other = _other_launcher_report(app, instance, week)
        if other is not None:
            if not wait:
                raise WeekUnderWay(week, other.dagster_run_id)
            _wait_until_inactive(app, instance, week)
            raise WaitedFor(week, other.dagster_run_id)
        yield
    finally:
        os.close(descriptor)  # closing releases the flock


class WaitedFor(Exception):
    """`--wait`: the other run of the week has ended; report its outcome."""

    def __init__(self, week: date, run_id: str | None) -> None:
        super().__init__(f"waited for run {run_id} of week {week}")
        self.week = week
        self.run_id = run_id


def _run_in_progress(instance, week: date, grace: float) -> str | None:
    """The newest unfinished Dagster run of the week (report or email run)."""
    from dagster import DagsterRunStatus, RunsFilter

    unfinished = [
        DagsterRunStatus.QUEUED,
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.STARTING,
        DagsterRunStatus.STARTED,
    ]
    deadline = time.monotonic() + grace
    while True:
        runs = instance.get_runs(
            RunsFilter(tags={PARTITION_TAG: week.isoformat()}, statuses=unfinished), limit=1
        )
        if runs or time.monotonic() >= deadline:
            return runs[0].run_id if runs else None
        time.sleep(0.5)


def _other_launcher_report(app: AppStore, instance, week: date) -> Report | None:
    """The week's active report when the API, a schedule or a sensor launched it and
    its Dagster run has not ended (or is still to start); None when the week is free.

    Called with the week's lock held: an active row of a CLI run is then a run
    that died without finishing, and does not hold the week."""
    row = active_report(app, week)
    if row is None:
        return None
    if not row.dagster_run_id:
        return row  # requested through the API, its run about to start
    run = instance.get_run_by_id(row.dagster_run_id)
    if run is None or run.is_finished or run.tags.get(EMAILS_TAG) == EMAILS_BY_LAUNCHER:
        return None
    return row


def _wait_until_inactive(app: AppStore, instance, week: date) -> None:
    while _other_launcher_report(app, instance, week) is not None:
        time.sleep(1.0)
