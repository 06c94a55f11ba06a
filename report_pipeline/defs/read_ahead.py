"""`documents_read_ahead`: each day's documents read while the week is still open.

A pass lists the day's documents so far and, in the same step, plans those not
yet in the content-addressed feature cache into the same batches as the weekly
run; they are extracted in the same forkserver and executor and their features
stored there. The weekly run then finds them
in the cache and only aggregates. Nothing here decides what a report contains:
the week's manifest, built on Monday from the catalog, stays the truth (a
document deleted since is not in it; one replaced has other bytes, so another
cache key, and is read again).
"""

from datetime import UTC, datetime, timedelta

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    DynamicOut,
    MetadataValue,
    OpExecutionContext,
    Out,
    Output,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    graph_asset,
    op,
    schedule,
)

from report_pipeline.defs.features import BatchingConfig, extract_feature_batch, planned_outputs
from report_pipeline.defs.jobs import weekly_executor
from report_pipeline.defs.partitions import daily_partitions, day_of
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.defs.schedules import default_status
from report_pipeline.names import KIND_TAG, READ_AHEAD_JOB
from report_pipeline.pipeline.features import (
    cache_joined,
    feature_counts,
    join_results,
    listing_failures,
)
from report_pipeline.pipeline.keys import read_ahead_manifest_key
from report_pipeline.pipeline.manifest import (
    HashedBefore,
    ManifestTally,
    iter_entries_between,
    iter_manifest_at,
    write_manifest_at,
)
from report_pipeline.resources.configurable import CatalogResource, ObjectStoreResource
from report_pipeline.settings import load_settings
from report_pipeline.weeks import day_bounds

PASS_EVERY_HOURS = 3


@op(out={"batches": DynamicOut(tuple), "ready": Out(tuple)}, retry_policy=STEP_RETRY)
def plan_day_documents(
    context: OpExecutionContext,
    config: BatchingConfig,
    catalog: CatalogResource,
    object_store: ObjectStoreResource,
):
    """The day's documents so far, hashed into a manifest of the pass's own, planned
    into batches as plan_feature_batches plans a week. One step, not two: a pass runs
    every few hours, and each step costs its events and its process."""
    day = day_of(context)
    store = object_store.open()
    limit = load_settings().max_pages
    # The day's earlier pass hashed most of them: objects unchanged since are not read again.
    listed = iter_entries_between(
        catalog.open(), store, *day_bounds(day), page_limit=limit, hashed=HashedBefore(store)
    )
    tally = ManifestTally()
    key = write_manifest_at(
        store, read_ahead_manifest_key(day), {"day": day.isoformat()}, tally.counted(listed)
    )
    # Shown on the step in the UI: how much of the day the pass found.
    found = {"day": day.isoformat(), "documents so far": tally.documents}
    yield from planned_outputs(context, config, store, key, ready_metadata=found)


@op
def collect_read_ahead(
    context: AssetExecutionContext,
    object_store: ObjectStoreResource,
    batches: list[list[dict]],
    ready: tuple,
) -> Output[None]:
    store = object_store.open()
    results, joined = join_results(batches)
    cache_joined(store, joined)
    # The documents no batch read: in the cache already, or failed at listing (counted).
    manifest_key, positions = ready
    failures = listing_failures(iter_manifest_at(store, manifest_key), positions)
    counts = feature_counts([*results, *failures])
    read_before = len(positions) - len(failures)
    return Output(
        None,
        metadata={
            "documents": counts["documents"] + read_before,
            "read_now": counts["documents"] - counts["from_cache"] - counts["failed"],
            "already_read": counts["from_cache"] + read_before,
            # Not cached: the weekly run tries them again and records the dead letters.
            "failed": counts["failed"],
            "failed_by_stage": MetadataValue.json(counts["failed_by_stage"]),
        },
    )


@graph_asset(partitions_def=daily_partitions, group_name="read_ahead")
def documents_read_ahead() -> None:
    """The day's documents read into the feature cache before the week closes.

    Runs on its own every few hours while the daemon runs (REPORT_PIPELINE_READ_AHEAD);
    the weekly report needs none of it to be correct, only to be quick.
    """
    batches, ready = plan_day_documents()
    return collect_read_ahead(batches.map(extract_feature_batch).collect(), ready)


read_ahead_job = define_asset_job(
    READ_AHEAD_JOB,
    selection=AssetSelection.assets(documents_read_ahead),
    partitions_def=daily_partitions,
    executor_def=weekly_executor(),  # the same step cap: daytime API and sending keep their share
    tags={KIND_TAG: "read_ahead", "dagster/priority": "-1"},
)


def read_ahead_days(tick: datetime) -> list[str]:
    """Today's partition; in the first pass after midnight, yesterday's too (its last hours)."""
    today = tick.astimezone(UTC).date()
    days = [today]
    if tick.astimezone(UTC).hour < PASS_EVERY_HOURS:
        days.insert(0, today - timedelta(days=1))
    return [day.isoformat() for day in days]


@schedule(
    job=read_ahead_job,
    cron_schedule=f"5 */{PASS_EVERY_HOURS} * * *",
    execution_timezone="UTC",
    default_status=default_status(load_settings().read_ahead_enabled),
)
def read_ahead_schedule(context: ScheduleEvaluationContext) -> list[RunRequest]:
    tick = context.scheduled_execution_time
    return [
        RunRequest(run_key=f"read-ahead-{day}-{tick:%H%M}", partition_key=day)
        for day in read_ahead_days(tick)
    ]
