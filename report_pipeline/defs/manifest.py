"""`document_manifest`: the week's documents as listed by the catalog."""

from datetime import timedelta
from itertools import chain

from dagster import AssetExecutionContext, MetadataValue, Output

from report_pipeline.defs.partitions import start_week, weekly_asset
from report_pipeline.pipeline.manifest import (
    LATE_LOOKBACK_WEEKS,
    HashedBefore,
    ManifestTally,
    iter_late_arrivals,
    iter_manifest_entries,
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
    published = [
        past
        for past in (week - timedelta(weeks=n) for n in range(1, LATE_LOOKBACK_WEEKS + 1))
        if (report := app.latest_report(past)) is not None and report.pdf_key
    ]
    # Streamed to the store as listed; objects the read-ahead passes hashed are not read again.
    listed = iter_manifest_entries(
        documents, store, week, page_limit=limit, hashed=HashedBefore(store)
    )
    late = iter_late_arrivals(documents, store, week, published, page_limit=limit)
    tally = ManifestTally()
    key = write_manifest(store, week, tally.counted(chain(listed, late)))
    totals = tally.totals()
    return Output(
        key,
        metadata={
            "documents": tally.documents,
            "unreadable": tally.unreadable,
            "late_arrivals": tally.late_arrivals,
            "bytes": tally.bytes,
            "by_content_type": MetadataValue.json(totals["by_content_type"]),
            "by_customer": MetadataValue.json(totals["by_customer"]),
            "uri": MetadataValue.path(store.uri(key)),
        },
    )
