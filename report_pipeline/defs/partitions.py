"""Weekly partitions (key = the Monday, UTC, that starts the week) and the read-ahead days."""

from datetime import date

from dagster import DailyPartitionsDefinition, WeeklyPartitionsDefinition

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


def day_of(context) -> date:
    return date.fromisoformat(context.partition_key)
