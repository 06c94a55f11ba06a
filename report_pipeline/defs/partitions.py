"""Weekly partitions (key = the Monday, UTC, that starts the week) and the read-ahead days."""

from collections.abc import Callable
from datetime import date
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    DailyPartitionsDefinition,
    WeeklyPartitionsDefinition,
    asset,
)

from report_pipeline.appdb.reports import start_run
from report_pipeline.appdb.store import AppStore
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.settings import load_settings

weekly_partitions = WeeklyPartitionsDefinition(
    start_date=load_settings().first_week.isoformat(),
    day_offset=1,
    timezone="UTC",
    end_offset=1,  # the week in progress can be previewed; the schedule only takes closed ones
)

# One partition per UTC day; today's is open so the passes during the day read what came so far.
daily_partitions = DailyPartitionsDefinition(
    start_date=load_settings().first_week.isoformat(), timezone="UTC", end_offset=1
)


def week_of(context) -> date:
    return date.fromisoformat(context.partition_key)


def weekly_asset(kind: str, **extra: Any) -> Callable[..., AssetsDefinition]:
    """A step of the weekly report: partitioned by week, in its group, retried on faults."""
    return asset(
        partitions_def=weekly_partitions,
        group_name="weekly_report",
        kinds={kind},
        retry_policy=STEP_RETRY,
        **extra,
    )


def start_week(context: AssetExecutionContext, app: AppStore) -> date:
    """The run's week, shown `running` by the API from this step on (not after a sensor tick)."""
    week = week_of(context)
    start_run(app, week, context.run_id)
    return week


def day_of(context) -> date:
    return date.fromisoformat(context.partition_key)
