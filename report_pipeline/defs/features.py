"""`document_features`: fan-out over batches of the manifest, then collect."""

import os

from dagster import (
    Config,
    DynamicOut,
    DynamicOutput,
    MetadataValue,
    OpExecutionContext,
    Output,
    graph_asset,
    op,
)

from report_pipeline.defs.partitions import week_of, weekly_partitions
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.pipeline.features import (
    cache_joined,
    extract_batch,
    feature_counts,
    join_results,
    plan_batches,
    write_week_features,
)
from report_pipeline.pipeline.manifest import read_manifest
from report_pipeline.resources.configurable import ObjectStoreResource
from report_pipeline.settings import load_settings


class BatchingConfig(Config):
    batch_size: int = load_settings().batch_size  # work per batch, in scanned pages
    workers: int = os.cpu_count() or 1  # batches run in parallel (the executor's concurrency)


@op(out=DynamicOut(tuple))
def plan_feature_batches(
    context: OpExecutionContext,
    config: BatchingConfig,
    object_store: ObjectStoreResource,
    manifest_key: str,
):
    """One dynamic output per batch: its work items (documents, or page ranges of a long PDF)."""
    store = object_store.open()
    entries = read_manifest(store, week_of(context))
    batches = plan_batches(entries, store, config.batch_size, config.workers)
    parts = sum(1 for batch in batches for item in batch if not isinstance(item, int))
    context.log.info(f"{len(entries)} documents in {len(batches)} batches ({parts} page ranges)")
    for number, positions in enumerate(batches):
        yield DynamicOutput(positions, mapping_key=f"batch_{number}")


@op(retry_policy=STEP_RETRY)
def extract_feature_batch(
    context: OpExecutionContext, object_store: ObjectStoreResource, batch: tuple
) -> list[dict]:
    """Extract one batch; document failures are results, infrastructure errors retry."""
    # Imported here: engines loads pytesseract and Pillow, which the code location
    # must not import (only the step processes read pages).
    from report_pipeline.extraction.engines import engine_choice, use_engine

    use_engine(engine_choice(load_settings()))
    store = object_store.open()
    results = extract_batch(batch, read_manifest(store, week_of(context)), store)
    # The progress display counts 'documents': a split PDF counts once, with its first pages.
    documents = sum(1 for item in batch if isinstance(item, int) or item[1] == 0)
    parts = sum(1 for item in batch if not isinstance(item, int))
    summary = {"documents": documents, "page_ranges": parts}
    context.log.info(f"{context.get_mapping_key()}: {summary}")
    return results


@op
def collect_features(
    context: OpExecutionContext, object_store: ObjectStoreResource, batches: list[list[dict]]
) -> Output[str]:
    store = object_store.open()
    results, joined = join_results(batches, store)  # a split PDF's page ranges become one document
    cache_joined(store, joined)
    key = write_week_features(store, week_of(context), results)
    counts = feature_counts(results)
    return Output(
        key,
        metadata={
            "documents": counts["documents"],
            "ok": counts["ok"],
            "failed": counts["failed"],
            "from_cache": counts["from_cache"],
            "failed_by_stage": MetadataValue.json(counts["failed_by_stage"]),
            "extraction_seconds": MetadataValue.json(counts["extraction_seconds"]),
            "batches": len(batches),
            "documents_split": len(joined),
        },
    )


@graph_asset(partitions_def=weekly_partitions, group_name="weekly_report")
def document_features(document_manifest: str) -> str:
    """Per-document features (text statistics, OCR), cached by content hash."""
    batches = plan_feature_batches(document_manifest).map(extract_feature_batch)
    return collect_features(batches.collect())
