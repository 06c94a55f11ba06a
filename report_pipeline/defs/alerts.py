"""Operator alerts: a mail per failed run, and a mail for a week that missed its deadline.

The failure that nobody notices is the run that never happened; the deadline
sensor catches it by looking at what the app database says was done.
"""

from datetime import UTC, datetime

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from report_pipeline.names import PARTITION_TAG
from report_pipeline.pipeline.alerts import (
    operator_message,
    overdue_reason,
    run_failure_message,
)
from report_pipeline.resources.configurable import AppDatabaseResource, MailerResource
from report_pipeline.settings import load_settings


@run_failure_sensor(minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def operator_alert_on_run_failure(context: RunFailureSensorContext, mailer: MailerResource):
    """One mail per failed run (the sensor's cursor never shows a run twice)."""
    settings = load_settings()
    recipients = list(settings.operator_emails)
    if not recipients:
        context.log.warning("run failed but REPORT_PIPELINE_OPERATOR_EMAILS is empty")
        return
    run = context.dagster_run
    error = _failure_text(context)
    message = run_failure_message(
        run.run_id,
        run.job_name,
        run.tags.get(PARTITION_TAG),
        error,
        settings.ui_url,
        mailer.sender,
        recipients,
    )
    with mailer.open() as outgoing:
        outgoing.send(message)


def _failure_text(context: RunFailureSensorContext) -> str:
    """The run's failure plus each failed step's error (first line): what an operator needs."""
    lines = [context.failure_event.message or "the run failed"]
    for event in context.get_step_failure_events():
        error = getattr(event.event_specific_data, "error", None)
        if error is not None:
            first = (error.message.strip().splitlines() or [""])[0]
            lines.append(f"- step {event.step_key}: {first}")
    return "\n".join(lines)


@sensor(minimum_interval_seconds=600, default_status=DefaultSensorStatus.RUNNING)
def report_deadline_sensor(
    context: SensorEvaluationContext,
    app_database: AppDatabaseResource,
    mailer: MailerResource,
):
    """Mail operators once per week whose report or emails are not done by the deadline."""
    settings = load_settings()
    now = datetime.now(UTC)
    reason = overdue_reason(app_database.open(), now, settings.deadline_hours)
    if reason is None:
        return SkipReason("the last closed week is on time")
    week, text = reason
    if context.cursor == week.isoformat():
        return SkipReason(f"week {week} already reported overdue")
    recipients = list(settings.operator_emails)
    if recipients:
        with mailer.open() as outgoing:
            outgoing.send(
                operator_message(
                    f"week {week} missed its deadline",
                    text,
                    mailer.sender,
                    recipients,
                    f"deadline-{week.isoformat()}",
                )
            )
    context.update_cursor(week.isoformat())
    return SkipReason(f"week {week} overdue: {text}")


alert_sensors = [operator_alert_on_run_failure, report_deadline_sensor]
