"""The weekly run's executor: step processes, or one process for a week read ahead.

A week the read-ahead passes have read leaves the weekly run nothing to extract: its
steps look documents up in the feature cache, sum and render. In step processes that
costs a forkserver and a process per step — on a 100,000-document week about 200 MB
more than the work itself. So the run decides when it starts: every day read ahead
after it closed (pipeline/read_ahead.py) -> all steps in the run's own process;
otherwise the forkserver and step processes as always. A document the passes missed
is then read in the run's process, on one core: few, by the rule's construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    Executor,
    InitExecutorContext,
    RunsFilter,
    executor,
    in_process_executor,
    multiple_process_executor_requirements,
    multiprocess_executor,
)

from report_pipeline.names import PARTITION_TAG
from report_pipeline.pipeline.read_ahead import WeekCoverage, week_coverage, week_days

READ_AHEAD_ASSET = AssetKey("documents_read_ahead")
# A week has 7 days of at most 9 scheduled passes: the newest records suffice.
PASSES_LOOKED_AT = 500


def read_ahead_pass_starts(instance: DagsterInstance, week: date) -> dict[date, list[datetime]]:
    """Start times of the runs that materialized each of the week's days read ahead."""
    days = [day.isoformat() for day in week_days(week)]
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=READ_AHEAD_ASSET, asset_partitions=days),
        limit=PASSES_LOOKED_AT,
    ).records
    if not records:  # no pass ran (no daemon: `run --week last` from cron)
        return {}
    run_ids = sorted({record.run_id for record in records})
    started = {
        run.dagster_run.run_id: datetime.fromtimestamp(run.start_time, UTC)
        for run in instance.get_run_records(RunsFilter(run_ids=run_ids))
        if run.start_time is not None
    }
    starts: dict[date, list[datetime]] = defaultdict(list)
    for record in records:
        if record.partition_key and record.run_id in started:
            starts[date.fromisoformat(record.partition_key)].append(started[record.run_id])
    return starts


def coverage_of(instance: DagsterInstance, tags: dict[str, str]) -> WeekCoverage:
    partition = tags.get(PARTITION_TAG)
    if not partition:
        return WeekCoverage(False, "the run has no week")
    week = date.fromisoformat(partition)
    try:
        starts = read_ahead_pass_starts(instance, week)
    except Exception as error:  # only a choice of speed: never fail the run over it
        return WeekCoverage(False, f"could not tell whether the week was read ahead ({error})")
    return week_coverage(week, starts)


class ReadAheadAwareExecutor(Executor):
    """Delegates the whole run to one of two executors, chosen when the run starts."""

    def __init__(self, spread: Executor, single: Executor) -> None:
        self._spread = spread
        self._single = single

    @property
    def retries(self):  # the same retry mode in both
        return self._spread.retries

    @property
    def step_dependency_config(self):
        return self._spread.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator:
        coverage = coverage_of(plan_context.instance, plan_context.dagster_run.tags)
        if coverage.read_ahead:
            plan_context.log.info(f"{coverage.reason}: all steps run in this process")
            yield from self._single.execute(plan_context, execution_plan)
            return
        plan_context.log.info(f"{coverage.reason}: the steps run in step processes")
        yield from self._spread.execute(plan_context, execution_plan)


@executor(
    name="report_step_executor",
    config_schema=multiprocess_executor.config_schema,
    requirements=multiple_process_executor_requirements(),
)
def report_step_executor(init_context: InitExecutorContext) -> Executor:
    """The multiprocess executor's config; its retry mode also for the one-process path."""
    spread = multiprocess_executor.executor_creation_fn(init_context)
    single = in_process_executor.executor_creation_fn(
        InitExecutorContext(
            job=init_context.job,
            executor_def=in_process_executor,
            executor_config={"retries": init_context.executor_config["retries"]},
            instance=init_context.instance,
        )
    )
    return ReadAheadAwareExecutor(spread, single)
