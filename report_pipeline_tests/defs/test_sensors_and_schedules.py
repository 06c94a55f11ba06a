from __future__ import annotations

from datetime import UTC, datetime

from dagster import (
    AssetMaterialization,
    DagsterInstance,
    asset,
    build_schedule_context,
    build_sensor_context,
    materialize,
)

from report_pipeline.defs.partitions import weekly_partitions
from report_pipeline.defs.schedules import closed_week_key, weekly_report_schedule
from report_pipeline.defs.sensors import email_on_report_sensor
from report_pipeline.names import EMAILS_BY_LAUNCHER, EMAILS_TAG


def _report_materialized(instance: DagsterInstance, week: str) -> None:
    instance.report_runless_asset_event(
        AssetMaterialization(asset_key="weekly_report", partition=week)
    )


def _tick(instance: DagsterInstance, cursor: str | None):
    context = build_sensor_context(instance=instance, cursor=cursor)
    return email_on_report_sensor(context)


def test_every_report_materialization_between_ticks_gets_an_email_run() -> None:
    with DagsterInstance.ephemeral() as instance:
        first = _tick(instance, None)
        assert first.run_requests == []

        # A backfill renders two weeks before the sensor ticks again.
        _report_materialized(instance, "2024-03-04")
        _report_materialized(instance, "2024-03-11")
        second = _tick(instance, first.cursor)
        assert [r.partition_key for r in second.run_requests] == ["2024-03-04", "2024-03-11"]
        assert len({r.run_key for r in second.run_requests}) == 2

        assert _tick(instance, second.cursor).run_requests == []

        # Re-materializing a week asks for its email run again; deliveries dedupe addresses.
        _report_materialized(instance, "2024-03-04")
        third = _tick(instance, second.cursor)
        assert [r.partition_key for r in third.run_requests] == ["2024-03-04"]


@asset(name="weekly_report", partitions_def=weekly_partitions)
def _stand_in_report() -> None:
    """A materialization of `weekly_report` made by a run with the tags under test."""


def test_no_second_email_run_for_a_report_whose_launcher_sends_its_emails() -> None:
    with DagsterInstance.ephemeral() as instance:
        first = _tick(instance, None)
        materialize(
            [_stand_in_report],
            instance=instance,
            partition_key="2024-03-04",
            tags={EMAILS_TAG: EMAILS_BY_LAUNCHER},
        )  # `report-pipeline run`
        materialize([_stand_in_report], instance=instance, partition_key="2024-03-11")  # backfill
        second = _tick(instance, first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["2024-03-11"]


def test_more_materializations_than_a_page_are_all_picked_up() -> None:
    with DagsterInstance.ephemeral() as instance:
        weeks = [f"2022-{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 10, 17, 24)][:150]
        for week in weeks:
            _report_materialized(instance, week)
        seen, cursor = [], None
        for _ in range(5):
            result = _tick(instance, cursor)
            seen += [r.partition_key for r in result.run_requests]
            cursor = result.cursor
        assert seen == weeks


def test_the_schedule_reports_on_the_week_that_just_closed() -> None:
    tick = datetime(2024, 3, 11, 6, 0, tzinfo=UTC)
    context = build_schedule_context(scheduled_execution_time=tick)
    request = weekly_report_schedule(context)
    assert request.partition_key == "2024-03-04"
    assert request.run_key == "weekly-report-2024-03-04"


def test_a_tick_in_another_timezone_still_picks_the_closed_utc_week() -> None:
    from zoneinfo import ZoneInfo

    # Monday 06:00 in Tokyo is Sunday 21:00 UTC: the week of 2024-03-04 is still open.
    assert closed_week_key(datetime(2024, 3, 11, 6, tzinfo=ZoneInfo("Asia/Tokyo"))) == "2024-02-26"
    assert closed_week_key(datetime(2024, 3, 11, 6, tzinfo=ZoneInfo("America/New_York"))) == (
        "2024-03-04"
    )
