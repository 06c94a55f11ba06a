"""Reconcile weekly-report runs that end without reaching their last step: -> `failed`.

The run itself writes `running` (first step) and `succeeded`/`held`/`noop`
(the report step); only a run that dies in between (a step error, a crash, a
cancel) needs help, and Dagster's run-status sensors hand each such run over
exactly once from the event log, whenever it ended between ticks or while the
daemon was down. No polling of "what is running now", which missed short runs.
"""

from datetime import date

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
)

from report_pipeline.appdb.reports import RunState, apply_run_state
from report_pipeline.names import PARTITION_TAG, WEEKLY_REPORT_JOB
from report_pipeline.resources.configurable import AppDatabaseResource


def reconcile_failed_run(context: RunStatusSensorContext, app_database: AppDatabaseResource):
    """The report of a failed or canceled weekly run goes to `failed` (audited with the run id).

    A report already finished by this run (rendered, then only the completeness
    check failed) stays as it is: `apply_run_state` refuses succeeded -> failed.
    """
    run = context.dagster_run
    partition = run.tags.get(PARTITION_TAG)
    if run.job_name != WEEKLY_REPORT_JOB or not partition:
        return SkipReason(f"run {run.run_id} is not a weekly report run")
    row = apply_run_state(
        app_database.open(), RunState(date.fromisoformat(partition), run.run_id, "failed")
    )
    if row is None:
        return SkipReason(f"report of week {partition} unchanged by run {run.run_id}")
    context.log.info(f"report {row.id} of week {partition} marked failed (run {run.run_id})")
    return None


@run_failure_sensor(minimum_interval_seconds=15, default_status=DefaultSensorStatus.RUNNING)
def report_state_on_run_failure(
    context: RunFailureSensorContext, app_database: AppDatabaseResource
):
    return reconcile_failed_run(context, app_database)


@run_status_sensor(
    run_status=DagsterRunStatus.CANCELED,
    minimum_interval_seconds=15,
    default_status=DefaultSensorStatus.RUNNING,
)
def report_state_on_run_canceled(
    context: RunStatusSensorContext, app_database: AppDatabaseResource
):
    return reconcile_failed_run(context, app_database)


report_state_sensors = [report_state_on_run_failure, report_state_on_run_canceled]
