"""`email_deliveries`: one email per subscriber for the week's report, never twice.

The materialization's metadata says two things apart, because the latest one is
what the asset page shows: `week_*`, where the week's emails stand now (sent so
far, pending, failed, dead, suppressed), and `run_*`, what this run did (a
re-run that finds everything sent says `run_sent 0` but `week_sent 3`). Then the
run fails if any delivery is dead, so operators see both the numbers and a red run.
"""

from collections.abc import Iterator
from pathlib import PurePosixPath

from dagster import (
    AssetExecutionContext, Config, Failure, MetadataValue, Output, asset,
)

from report_pipeline.defs.partitions import week_of, weekly_partitions
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.appdb.deliveries import status_counts
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.dispatch import DispatchOutcome, ReportToSend, dispatch_report
from report_pipeline.delivery.links import plan_links
from report_pipeline.delivery.mailers import MailerConfigError
from report_pipeline.delivery.settings import delivery_settings
from report_pipeline.settings import load_settings
from report_pipeline.pipeline.gate import emails_held
from report_pipeline.pipeline.publish import read_published_manifest
from report_pipeline.resources.configurable import AppDatabaseResource, MailerResource, ObjectStoreResource

COUNTS = ("recipients", "sent", "skipped", "failed", "dead", "suppressed")


class DeliveryConfig(Config):
    force: bool = False  # resend to addresses that already received this report
    replay: bool = False  # only failed and dead deliveries; nobody new is added


@asset(partitions_def=weekly_partitions, group_name="weekly_report", kinds={"email"},
       retry_policy=STEP_RETRY)
def email_deliveries(
    context: AssetExecutionContext, config: DeliveryConfig, object_store: ObjectStoreResource,
    app_database: AppDatabaseResource, mailer: MailerResource, weekly_report: str,
) -> Iterator[Output[dict]]:
    """Snapshot the active subscribers and mail each one the week's PDF."""
    week = week_of(context)
    store, app = object_store.open(), app_database.open()
    settings = delivery_settings(load_settings().delivery)
    report = app.latest_report(week)
    if report is None or report.pdf_key is None:
        raise Failure(f"no rendered report recorded for week {week}; materialize weekly_report",
                      allow_retries=False)
    if held := emails_held(app, week):
        context.log.warning(f"no emails for {week}: {held}")
        yield Output({name: 0 for name in COUNTS}, metadata={
            **_week_totals(app, report.id), "report_id": report.id,
            "held": MetadataValue.text(held)})
        return
    published = read_published_manifest(store, week, report.pdf_sha256)
    pdf = store.get(report.pdf_key)
    app_settings = load_settings()
    links = plan_links(store, report.id, report.pdf_key, len(pdf), app_settings.home,
                       settings.max_attachment_bytes, settings.download_link_ttl_seconds,
                       app_settings.patient_data)
    to_send = ReportToSend(
        report_id=report.id, week=week, summary=published["summary"], pdf=pdf,
        pdf_filename=PurePosixPath(report.pdf_key).name
        .replace("weekly-report", f"weekly-report-{week.isoformat()}"),
        download_url=links.download_url, download_expires_at=links.expires_at,
        link_only=links.link_only, link_for=links.link_for,
    )
    try:
        outcome = dispatch_report(
            app, to_send, mailer.open(), mailer.sender, force=config.force,
            mode="replay" if config.replay else "snapshot", settings=settings)
    except MailerConfigError as error:
        # No retry can help until the setting is fixed; the rows stay pending.
        raise Failure(str(error), allow_retries=False) from None
    counts = {name: getattr(outcome, name) for name in COUNTS}
    context.log.info(f"deliveries for {week}: {counts}")
    yield Output(counts, metadata=_metadata(app, outcome, report.id))
    if outcome.dead:
        raise Failure(
            f"{outcome.dead} deliveries for week {week} are dead; see `report-pipeline deliveries"
            f" list --week {week} --status dead`, then `deliveries replay --week {week}`",
            metadata={"dead": MetadataValue.int(outcome.dead),
                      "errors": MetadataValue.md("\n".join(f"- {e}" for e in outcome.errors))},
            allow_retries=False,  # dead rows stay dead until replayed by an operator
        )


WEEK_TOTALS = {  # metadata key -> delivery statuses counted
    "week_sent": ("sent",), "week_pending": ("pending", "sending"), "week_failed": ("failed",),
    "week_dead": ("dead",), "week_suppressed": ("suppressed",),
}


def _week_totals(app: AppStore, report_id: int) -> dict:
    """Where the week's (latest report's) emails stand, whichever run sent them."""
    counts = status_counts(app, report_id)
    totals = {key: sum(counts[status] for status in statuses)
              for key, statuses in WEEK_TOTALS.items()}
    metadata: dict = {key: MetadataValue.int(value) for key, value in totals.items()}
    metadata["week_recipients"] = MetadataValue.int(sum(counts.values()))
    metadata["status"] = MetadataValue.text(
        f"{totals['week_sent']} of {sum(counts.values())} recipients sent so far;"
        f" {totals['week_pending']} pending, {totals['week_failed']} failed,"
        f" {totals['week_dead']} dead, {totals['week_suppressed']} suppressed")
    return metadata


def _metadata(app: AppStore, outcome: DispatchOutcome, report_id: int) -> dict:
    metadata = _week_totals(app, report_id)
    metadata.update({f"run_{name}": MetadataValue.int(getattr(outcome, name))
                     for name in COUNTS if name not in ("recipients", "dead")})
    metadata["report_id"] = report_id
    if outcome.errors:
        metadata["errors"] = MetadataValue.md("\n".join(f"- {e}" for e in outcome.errors))
    return metadata
