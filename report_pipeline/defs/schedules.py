"""Weekly schedule: every Monday morning, report on the week that just closed."""

from datetime import UTC, datetime, timedelta

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from report_pipeline.defs.jobs import weekly_report_job
from report_pipeline.settings import load_settings
from report_pipeline.weeks import week_start_of


def default_status(enabled: bool) -> DefaultScheduleStatus:
    """How a schedule starts when the daemon first sees it (REPORT_PIPELINE_SCHEDULE_ENABLED)."""
    return DefaultScheduleStatus.RUNNING if enabled else DefaultScheduleStatus.STOPPED


def closed_week_key(tick: datetime) -> str:
    """The Monday of the last complete UTC week before `tick`."""
    return (week_start_of(tick.astimezone(UTC).date()) - timedelta(days=7)).isoformat()


@schedule(
    job=weekly_report_job,
    cron_schedule="0 6 * * 1",
    execution_timezone=load_settings().schedule_timezone,
    # On as soon as the daemon runs (the README promises it); REPORT_PIPELINE_SCHEDULE_ENABLED=0
    # for a deployment that must not report on its own (a staging copy, a backfill-only setup).
    default_status=default_status(load_settings().schedule_enabled),
)
def weekly_report_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    week = closed_week_key(context.scheduled_execution_time)
    return RunRequest(run_key=f"weekly-report-{week}", partition_key=week)
