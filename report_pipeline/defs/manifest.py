"""`document_manifest`: the week's documents as listed by the catalog."""

from dagster import AssetExecutionContext, MetadataValue, Output

from report_pipeline.defs.partitions import start_week, weekly_asset
from report_pipeline.pipeline.manifest import iter_manifest_entries, manifest_totals, write_manifest
from report_pipeline.resources.configurable import (
    AppDatabaseResource,
    CatalogResource,
    ObjectStoreResource,
)


@weekly_asset("python")
def document_manifest(
    context: AssetExecutionContext,
    catalog: CatalogResource,
    object_store: ObjectStoreResource,
    app_database: AppDatabaseResource,
) -> Output[str]:
    """Every document created in the week: ids, object keys, sizes and content hashes."""
    week = start_week(context, app_database.open())  # the run's first step
    store = object_store.open()
    entries = list(iter_manifest_entries(catalog.open(), store, week))
    key = write_manifest(store, week, entries)
    totals = manifest_totals(entries)
    return Output(
        key,
        metadata={
            "documents": len(entries),
            "unreadable": sum(1 for e in entries if e.error),
            "bytes": sum(e.record.size for e in entries),
            "by_content_type": MetadataValue.json(totals["by_content_type"]),
            "by_customer": MetadataValue.json(totals["by_customer"]),
            "uri": MetadataValue.path(store.uri(key)),
        },
    )
