"""Weekly partitions: key = the Monday (UTC) that starts the week."""

from datetime import date

from dagster import WeeklyPartitionsDefinition

from report_pipeline.settings import load_settings

weekly_partitions = WeeklyPartitionsDefinition(
    start_date=load_settings().first_week.isoformat(),
    day_offset=1,
    timezone="UTC",
    end_offset=1,  # the week in progress can be previewed; the schedule only takes closed ones
)


def week_of(context) -> date:
    return date.fromisoformat(context.partition_key)
