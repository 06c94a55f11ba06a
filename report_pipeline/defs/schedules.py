"""Weekly schedule: every Monday morning, report on the week that just closed."""

from datetime import datetime, timedelta, timezone

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from report_pipeline.defs.jobs import weekly_report_job
from report_pipeline.settings import load_settings
from report_pipeline.weeks import week_start_of


def closed_week_key(tick: datetime) -> str:
    """The Monday of the last complete UTC week before `tick`."""
    return (week_start_of(tick.astimezone(timezone.utc).date()) - timedelta(days=7)).isoformat()


@schedule(
    job=weekly_report_job,
    cron_schedule="0 6 * * 1",
    execution_timezone=load_settings().schedule_timezone,
)
def weekly_report_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    week = closed_week_key(context.scheduled_execution_time)
    return RunRequest(run_key=f"weekly-report-{week}", partition_key=week)
