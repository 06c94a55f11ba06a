"""The rule that says a closed week was read ahead (its weekly run then only aggregates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from report_pipeline.pipeline.read_ahead import week_coverage, week_days

WEEK = date(2024, 3, 4)


def _after_close(day: date, minutes: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, minutes=minutes)


def test_a_week_whose_every_day_was_read_after_it_closed_is_read_ahead() -> None:
    starts = {day: [_after_close(day)] for day in week_days(WEEK)}
    coverage = week_coverage(WEEK, starts)
    assert coverage.read_ahead
    assert coverage.reason == "every day of the week was read ahead after it closed"


def test_a_pass_started_at_the_close_covers_the_day() -> None:
    starts = {day: [_after_close(day, minutes=0)] for day in week_days(WEEK)}
    assert week_coverage(WEEK, starts).read_ahead


def test_a_day_read_only_before_it_closed_is_not_read_ahead() -> None:
    sunday = WEEK + timedelta(days=6)
    starts = {day: [_after_close(day)] for day in week_days(WEEK)}
    # Sunday's passes ran at 18:05 and 21:05: its last hours were never listed.
    starts[sunday] = [_after_close(sunday, minutes=-355), _after_close(sunday, minutes=-175)]
    coverage = week_coverage(WEEK, starts)
    assert not coverage.read_ahead
    assert coverage.reason == ("no read-ahead pass started after the close of 1 day(s): 2024-03-10")


def test_days_without_any_pass_are_named() -> None:
    tuesday, thursday = WEEK + timedelta(days=1), WEEK + timedelta(days=3)
    coverage = week_coverage(WEEK, {tuesday: [_after_close(tuesday)]})
    assert not coverage.read_ahead
    assert coverage.reason.startswith("no read-ahead pass started after the close of 6 day(s):")
    assert thursday.isoformat() in coverage.reason and tuesday.isoformat() not in coverage.reason


def test_week_days_are_monday_to_sunday() -> None:
    days = week_days(WEEK)
    assert (days[0], days[-1], len(days)) == (WEEK, date(2024, 3, 10), 7)
