"""Weekly retention run: thin wiring around report_pipeline.pipeline.retention."""

from dagster import OpExecutionContext, job, op, schedule

from report_pipeline.defs.schedules import default_status
from report_pipeline.pipeline.retention import apply_retention, format_items
from report_pipeline.resources.configurable import ObjectStoreResource
from report_pipeline.settings import load_settings


@op
def apply_retention_policy(context: OpExecutionContext, object_store: ObjectStoreResource) -> int:
    """Delete features, manifests, reports and outbox files past the retention period."""
    settings = load_settings()
    outbox = settings.outbox_dir if settings.mailer == "outbox" else None
    items = apply_retention(object_store.open(), outbox, settings.patient_data.retention_days)
    context.log.info(format_items(items, dry_run=False))
    return len(items)


@job(description="Delete patient data older than REPORT_PIPELINE_RETENTION_DAYS")
def retention_job() -> None:
    apply_retention_policy()


# Sunday 05:00, away from the Monday 06:00 report run; on or off with the report schedule.
@schedule(
    job=retention_job,
    cron_schedule="0 5 * * 0",
    execution_timezone=load_settings().schedule_timezone,
    default_status=default_status(load_settings().schedule_enabled),
)
def weekly_retention_schedule() -> dict:
    return {}
