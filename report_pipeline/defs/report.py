"""`weekly_report`: the week's PDF, its manifest, and the report row in the app database."""

from datetime import datetime, timezone

from dagster import AssetExecutionContext, MetadataValue, Output, asset

from report_pipeline.appdb.store import ReportResult
from report_pipeline.defs.partitions import week_of, weekly_partitions
from report_pipeline.features import read_week_features
from report_pipeline.manifest import read_manifest
from report_pipeline.publish import publish_report
from report_pipeline.resources import AppDatabaseResource, ObjectStoreResource


@asset(partitions_def=weekly_partitions, group_name="weekly_report", kinds={"pdf"})
def weekly_report(
    context: AssetExecutionContext, object_store: ObjectStoreResource,
    app_database: AppDatabaseResource, document_features: str,
) -> Output[str]:
    """Aggregated features as a PDF in the object store, with a JSON manifest beside it."""
    week = week_of(context)
    store = object_store.open()
    published = publish_report(
        store, week, read_manifest(store, week), read_week_features(store, week),
        generated_at=datetime.now(timezone.utc),
    )
    summary = published.summary
    app_database.open().record_report(ReportResult(
        week=week, state="succeeded", report_uri=published.uri, pdf_key=published.pdf_key,
        pdf_sha256=published.pdf_sha256, documents_total=summary["documents_total"],
        documents_failed=summary["documents_failed"], dagster_run_id=context.run_id,
    ))
    return Output(published.manifest_key, metadata={
        "uri": MetadataValue.path(published.uri),
        "pages": published.page_count,
        "documents_total": summary["documents_total"],
        "documents_failed": summary["documents_failed"],
        "pdf_sha256": published.pdf_sha256,
        "summary": MetadataValue.md(published.markdown),
    })
