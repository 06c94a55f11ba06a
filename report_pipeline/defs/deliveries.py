"""`email_deliveries`: one email per subscriber for the week's report, never twice."""

from pathlib import PurePosixPath

from dagster import AssetExecutionContext, Config, Failure, MetadataValue, Output, asset

from report_pipeline.defs.partitions import week_of, weekly_partitions
from report_pipeline.delivery.dispatch import ReportToSend, dispatch_report
from report_pipeline.publish import read_published_manifest
from report_pipeline.resources import AppDatabaseResource, MailerResource, ObjectStoreResource


class DeliveryConfig(Config):
    force: bool = False  # resend to addresses that already received this report


@asset(partitions_def=weekly_partitions, group_name="weekly_report", kinds={"email"})
def email_deliveries(
    context: AssetExecutionContext, config: DeliveryConfig, object_store: ObjectStoreResource,
    app_database: AppDatabaseResource, mailer: MailerResource, weekly_report: str,
) -> Output[dict]:
    """Snapshot the active subscribers and mail each one the week's PDF."""
    week = week_of(context)
    store, app = object_store.open(), app_database.open()
    report = app.latest_report(week)
    if report is None or report.pdf_key is None:
        raise Failure(f"no rendered report recorded for week {week}; materialize weekly_report")
    published = read_published_manifest(store, week)
    outcome = dispatch_report(
        app,
        ReportToSend(
            report_id=report.id, week=week, summary=published["summary"],
            pdf=store.get(report.pdf_key), pdf_filename=PurePosixPath(report.pdf_key).name
            .replace("weekly-report", f"weekly-report-{week.isoformat()}"),
        ),
        mailer.open(), mailer.sender, force=config.force,
    )
    counts = vars(outcome)
    context.log.info(f"deliveries for {week}: {counts}")
    return Output(counts, metadata={
        **{name: MetadataValue.int(value) for name, value in counts.items()},
        "report_id": report.id,
    })
