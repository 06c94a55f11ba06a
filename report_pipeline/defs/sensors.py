"""Launch the email job for every `weekly_report` materialization, none skipped.

`@asset_sensor` only reports the latest materialization between ticks, so a
backfill that renders several weeks between two ticks would lose emails. This
sensor reads the event log after a storage-id cursor instead. Weeks the
completeness gate held (or empty weeks) get no email run, and neither does a
report made by `report-pipeline run`, which runs the week's emails itself.
"""

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    EventLogRecord,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from report_pipeline.defs.jobs import email_job
from report_pipeline.names import EMAILS_BY_LAUNCHER, EMAILS_TAG, HELD_KEY

REPORT_KEY = AssetKey("weekly_report")
PAGE_SIZE = 100


@sensor(job=email_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def email_on_report_sensor(context: SensorEvaluationContext) -> SensorResult:
    after = int(context.cursor) if context.cursor else None
    result = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=REPORT_KEY, after_storage_id=after),
        limit=PAGE_SIZE,
        ascending=True,
    )
    requests = []
    for record in result.records:
        if not record.partition_key:
            continue
        held = _emails_held(record)
        if held:
            # Released later by an operator (`reports release`), which sends them.
            context.log.info(f"week {record.partition_key}: no email run, {held}")
            continue
        if _emails_sent_by_launcher(context, record):
            context.log.info(
                f"week {record.partition_key}: no email run, run {record.run_id}"
                " sends its own emails"
            )
            continue
        requests.append(
            RunRequest(
                run_key=f"email-{record.partition_key}-{record.storage_id}",
                partition_key=record.partition_key,
            )
        )
    cursor = str(result.records[-1].storage_id) if result.records else context.cursor
    return SensorResult(run_requests=requests, cursor=cursor)


def _emails_held(record: EventLogRecord) -> str | None:
    """The gate's decision, recorded by `weekly_report` in its materialization metadata."""
    materialization = record.asset_materialization
    value = materialization.metadata.get(HELD_KEY) if materialization else None
    return None if value is None else str(getattr(value, "value", value))


def _emails_sent_by_launcher(context: SensorEvaluationContext, record: EventLogRecord) -> bool:
    run = context.instance.get_run_by_id(record.run_id) if record.run_id else None
    return run is not None and run.tags.get(EMAILS_TAG) == EMAILS_BY_LAUNCHER
