"""`document_manifest`: the week's documents as listed by the catalog."""

from datetime import timedelta

from dagster import AssetExecutionContext, MetadataValue, Output

from report_pipeline.defs.partitions import start_week, weekly_asset
from report_pipeline.pipeline.manifest import (
    LATE_LOOKBACK_WEEKS,
    iter_late_arrivals,
    iter_manifest_entries,
    manifest_totals,
    write_manifest,
)
from report_pipeline.resources.configurable import (
    AppDatabaseResource,
    CatalogResource,
    ObjectStoreResource,
)
from report_pipeline.settings import load_settings


@weekly_asset("python")
def document_manifest(
    context: AssetExecutionContext,
    catalog: CatalogResource,
    object_store: ObjectStoreResource,
    app_database: AppDatabaseResource,
) -> Output[str]:
    """Every document created in the week: ids, object keys, sizes and content hashes."""
    app = app_database.open()
    week = start_week(context, app)  # the run's first step
    store, documents = object_store.open(), catalog.open()
    limit = load_settings().max_pages
    entries = list(iter_manifest_entries(documents, store, week, page_limit=limit))
    published = [
        past
        for past in (week - timedelta(weeks=n) for n in range(1, LATE_LOOKBACK_WEEKS + 1))
        if (report := app.latest_report(past)) is not None and report.pdf_key
    ]
    entries += iter_late_arrivals(documents, store, week, published, page_limit=limit)
    key = write_manifest(store, week, entries)
    totals = manifest_totals(entries)
    return Output(
        key,
        metadata={
            "documents": len(entries),
            "unreadable": sum(1 for e in entries if e.error),
            "late_arrivals": sum(1 for e in entries if e.late_for),
            "bytes": sum(e.record.size for e in entries),
            "by_content_type": MetadataValue.json(totals["by_content_type"]),
            "by_customer": MetadataValue.json(totals["by_customer"]),
            "uri": MetadataValue.path(store.uri(key)),
        },
    )
