"""Mirror weekly-report runs into the app database: started -> `running`, failed -> `failed`.

Success needs no help (the `weekly_report` asset records it). This is a plain
sensor over run records after an update-time cursor, so runs that start and
fail between two ticks, or while the daemon was down, are still seen; runs
launched by the schedule, a backfill or the API all land on the same rows the
API serves.
"""

from datetime import datetime, timezone

from dagster import (
    DagsterRunStatus, DefaultSensorStatus, RunsFilter, SensorEvaluationContext, SkipReason,
    sensor,
)

from report_pipeline.appdb.reports import RunState, apply_run_state
from report_pipeline.resources.configurable import AppDatabaseResource
from report_pipeline.names import PARTITION_TAG, WEEKLY_REPORT_JOB

PAGE_SIZE = 100
STATE_OF = {
    DagsterRunStatus.STARTED: "running",
    DagsterRunStatus.FAILURE: "failed",
    DagsterRunStatus.CANCELED: "failed",
}


@sensor(minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def report_state_sensor(context: SensorEvaluationContext, app_database: AppDatabaseResource):
    if context.cursor is None:
        # First tick: start from now rather than rewriting the history of old runs.
        context.update_cursor(str(datetime.now(timezone.utc).timestamp()))
        return SkipReason("cursor initialised")
    after = datetime.fromtimestamp(float(context.cursor), timezone.utc)
    records = context.instance.get_run_records(
        RunsFilter(job_name=WEEKLY_REPORT_JOB, updated_after=after, statuses=list(STATE_OF)),
        limit=PAGE_SIZE, order_by="update_timestamp", ascending=True,
    )
    if not records:
        return SkipReason("no weekly report run changed state")
    app = app_database.open()
    changed = 0
    for record in records:
        run = record.dagster_run
        partition = run.tags.get(PARTITION_TAG)
        if partition:
            week = datetime.fromisoformat(partition).date()
            changed += apply_run_state(app, RunState(week, run.run_id, STATE_OF[run.status])) is not None
    last = records[-1].update_timestamp
    last = last if last.tzinfo else last.replace(tzinfo=timezone.utc)
    context.update_cursor(str(last.timestamp()))
    return SkipReason(f"{changed} report rows updated from {len(records)} runs")
