"""`document_features`: fan-out over batches of the manifest, then collect."""

import os
from collections.abc import Iterator
from itertools import chain
from typing import Any

from dagster import (
    Config,
    DynamicOut,
    DynamicOutput,
    MetadataValue,
    OpExecutionContext,
    Out,
    Output,
    graph_asset,
    op,
)

from report_pipeline.classify import Classifier
from report_pipeline.defs.partitions import week_of, weekly_partitions
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.pipeline.features import (
    FeatureTally,
    cache_joined,
    classifier_for,
    entries_at,
    extract_batch,
    join_results,
    plan_batches,
    ready_results,
    with_cached_features,
    write_week_features,
)
from report_pipeline.pipeline.manifest import ManifestTally, iter_manifest_at
from report_pipeline.resources.configurable import ObjectStoreResource
from report_pipeline.settings import load_settings
from report_pipeline.storage.object_store import ObjectStore


class BatchingConfig(Config):
    batch_size: int = load_settings().batch_size  # work per batch, in scanned pages
    workers: int = os.cpu_count() or 1  # batches run in parallel (the executor's concurrency)


def run_classifier(store) -> Classifier:
    """The deployment's taxonomy and model threshold, with the type model the store holds."""
    settings = load_settings()
    return classifier_for(store, settings.document_types, settings.type_model_threshold)


@op(out={"batches": DynamicOut(tuple), "ready": Out(tuple)})
def plan_feature_batches(
    context: OpExecutionContext,
    config: BatchingConfig,
    object_store: ObjectStoreResource,
    manifest_key: str,
):
    """One dynamic output per batch: the manifest's key and the batch's work items
    (documents, or page ranges of a long PDF); and ``ready``: the manifest's key and
    the positions no batch reads (in the cache, or failed at listing). The week's run
    and the read-ahead passes plan from their own manifests the same way."""
    yield from planned_outputs(context, config, object_store.open(), manifest_key)


def planned_outputs(
    context: OpExecutionContext,
    config: BatchingConfig,
    store: ObjectStore,
    manifest_key: str,
    ready_metadata: dict[str, Any] | None = None,
) -> Iterator[DynamicOutput | Output]:
    """The outputs of plan_feature_batches for the manifest at ``manifest_key``."""
    # The manifest streams past: the plan keeps the entries to extract, not the week.
    entries = ManifestTally()
    limit = load_settings().max_pages
    plan = plan_batches(
        entries.counted(iter_manifest_at(store, manifest_key)),
        store,
        config.batch_size,
        config.workers,
        page_limit=limit,
    )
    parts = sum(1 for batch in plan.batches for item in batch if not isinstance(item, int))
    context.log.info(
        f"{entries.documents} documents in {len(plan.batches)} batches ({parts} page ranges);"
        f" {len(plan.ready)} need no reading (already read, or failed at listing)"
    )
    for number, positions in enumerate(plan.batches):
        yield DynamicOutput(
            (manifest_key, positions), mapping_key=f"batch_{number}", output_name="batches"
        )
    yield Output((manifest_key, plan.ready), output_name="ready", metadata=ready_metadata)


@op(retry_policy=STEP_RETRY)
def extract_feature_batch(
    context: OpExecutionContext, object_store: ObjectStoreResource, batch: tuple
) -> list[dict]:
    """Extract one batch; document failures are results, infrastructure errors retry."""
    # Imported here: engines loads pytesseract and Pillow, which the code location
    # must not import (only the step processes read pages).
    from report_pipeline.extraction.engines import engine_choice, use_engine

    settings = load_settings()
    use_engine(engine_choice(settings))
    store = object_store.open()
    manifest_key, batch = batch
    results = extract_batch(
        batch,
        entries_at(iter_manifest_at(store, manifest_key), batch),
        store,
        page_limit=settings.max_pages,
        classifier=run_classifier(store),
    )
    # The progress display counts 'documents': a split PDF counts once, with its first pages.
    documents = sum(1 for item in batch if isinstance(item, int) or item[1] == 0)
    parts = sum(1 for item in batch if not isinstance(item, int))
    summary = {"documents": documents, "page_ranges": parts}
    context.log.info(f"{context.get_mapping_key()}: {summary}")
    return results


@op(retry_policy=STEP_RETRY)
def collect_features(
    context: OpExecutionContext,
    object_store: ObjectStoreResource,
    batches: list[list[dict]],
    ready: tuple,
) -> Output[str]:
    """The week's features file: the batches' results, then the documents no batch read."""
    store = object_store.open()
    classifier = run_classifier(store)
    # A split PDF's page ranges become one document, typed by the deployment's classifier.
    results, joined = join_results(batches, classifier=classifier)
    cache_joined(store, joined)
    manifest_key, positions = ready
    looked_up = ready_results(
        iter_manifest_at(store, manifest_key),
        positions,
        store,
        page_limit=load_settings().max_pages,
        classifier=classifier,
    )
    # Cache hits carry only their key here: their features stream from the cache to the file.
    tally = FeatureTally()
    every = tally.counted(chain(with_cached_features(store, results), looked_up))
    key = write_week_features(store, week_of(context), every)
    counts = tally.counts()
    return Output(
        key,
        metadata={
            "documents": counts["documents"],
            "ok": counts["ok"],
            "failed": counts["failed"],
            # Read ahead during the week (or by an earlier run): only looked up now.
            "from_cache": counts["from_cache"],
            "read_on_the_day": counts["documents"] - counts["from_cache"],
            "failed_by_stage": MetadataValue.json(counts["failed_by_stage"]),
            "extraction_seconds": MetadataValue.json(counts["extraction_seconds"]),
            "batches": len(batches),
            "documents_split": len(joined),
        },
    )


@graph_asset(partitions_def=weekly_partitions, group_name="weekly_report")
def document_features(document_manifest: str) -> str:
    """Per-document features (text statistics, OCR), cached by content hash."""
    batches, ready = plan_feature_batches(document_manifest)
    return collect_features(batches.map(extract_feature_batch).collect(), ready)
