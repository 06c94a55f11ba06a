"""A week read ahead runs its weekly run in one process; any other week in step processes."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from dagster import AssetKey, DagsterInstance, execute_job, reconstructable

from report_pipeline.defs import report_executor
from report_pipeline.defs.report_executor import coverage_of
from report_pipeline.defs.runs import weekly_report_job_def
from report_pipeline.names import PARTITION_TAG
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.read_ahead import week_days
from report_pipeline.resources.connections import open_services
from report_pipeline.tooling.samples import clinical_note_text
from report_pipeline_tests.defs.test_read_ahead import _read_ahead as read_ahead_day

WEEK = date(2024, 3, 4)
MONDAY_ASSETS = [AssetKey(name) for name in ("document_manifest", "document_features")]


def _seed(settings) -> None:
    services = open_services(settings)
    for number, day in enumerate(week_days(WEEK)[1:4]):
        at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        note = clinical_note_text(seed=number).encode()
        store_document(services, note, f"note-{number}.txt", "text/plain", "acme", at)


def _read_ahead(settings, instance, days) -> None:
    for day in days:  # today, long after these days closed
        read_ahead_day(settings, instance, day)


def _weekly_run(instance):
    result = execute_job(
        reconstructable(weekly_report_job_def),
        instance=instance,
        tags={PARTITION_TAG: WEEK.isoformat()},
        asset_selection=MONDAY_ASSETS,
    )
    assert result.success
    step_pids = {event.pid for event in result.all_events if event.is_step_start}
    messages = [
        record.user_message
        for record in instance.all_logs(result.run_id)
        if "run in" in record.user_message
    ]
    return step_pids, messages


def test_a_week_read_ahead_runs_every_step_in_the_run_process(settings) -> None:
    _seed(settings)
    with DagsterInstance.get() as instance:
        _read_ahead(settings, instance, week_days(WEEK))
        step_pids, messages = _weekly_run(instance)
    assert step_pids == {os.getpid()}  # no forkserver, no step process
    assert messages == [
        "every day of the week was read ahead after it closed: all steps run in this process"
    ]


def test_a_week_with_a_day_not_read_ahead_runs_in_step_processes(settings) -> None:
    _seed(settings)
    with DagsterInstance.get() as instance:
        _read_ahead(settings, instance, week_days(WEEK)[:6])  # Sunday never read
        step_pids, messages = _weekly_run(instance)
    assert os.getpid() not in step_pids
    assert messages == [
        "no read-ahead pass started after the close of 1 day(s): 2024-03-10:"
        " the steps run in step processes"
    ]


def test_a_week_no_pass_ever_read_runs_in_step_processes(settings) -> None:
    _seed(settings)  # the one-shot mode: no daemon, no read-ahead pass
    with DagsterInstance.get() as instance:
        step_pids, messages = _weekly_run(instance)
    assert os.getpid() not in step_pids
    assert messages[0].startswith("no read-ahead pass started after the close of 7 day(s):")


def test_a_run_without_a_week_takes_step_processes(settings) -> None:
    with DagsterInstance.get() as instance:
        coverage = coverage_of(instance, {})
    assert (coverage.read_ahead, coverage.reason) == (False, "the run has no week")


def test_a_failing_look_at_the_passes_takes_step_processes(settings, monkeypatch) -> None:
    def unreachable(instance, week):
        raise ConnectionError("event log storage unreachable")

    monkeypatch.setattr(report_executor, "read_ahead_pass_starts", unreachable)
    with DagsterInstance.get() as instance:
        coverage = coverage_of(instance, {PARTITION_TAG: WEEK.isoformat()})
    assert not coverage.read_ahead
    assert coverage.reason == (
        "could not tell whether the week was read ahead (event log storage unreachable)"
    )
