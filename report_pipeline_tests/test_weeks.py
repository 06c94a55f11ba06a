from datetime import UTC, date, datetime

import pytest

from report_pipeline.weeks import InvalidWeek, last_closed_week, parse_week, week_bounds


@pytest.mark.parametrize("text", ["2024-03-04", "2024-03-07", "2024-03-10"])
def test_any_day_names_its_monday(text: str) -> None:
    assert parse_week(text) == date(2024, 3, 4)


@pytest.mark.parametrize("text", ["", "2024-13-01", "last week", "2024/03/04", "2024-02-30"])
def test_malformed_weeks_are_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(InvalidWeek, match="expected a date as YYYY-MM-DD"):
        parse_week(text)


@pytest.mark.parametrize(
    "today",
    [date(2026, 11, 23), date(2026, 11, 26), date(2026, 11, 29)],  # Mon, Thu, Sun
)
def test_the_last_closed_week_is_the_one_before_the_current(today: date) -> None:
    assert last_closed_week(today) == date(2026, 11, 16)


def test_last_on_the_command_line_is_the_last_closed_week() -> None:
    from report_pipeline.cli.common import week_or_error

    assert week_or_error("last") == week_or_error(" LAST ") == last_closed_week()
    assert parse_week("2026-11-18") == date(2026, 11, 16)  # a date still works as before


def test_week_bounds_are_utc_monday_to_monday() -> None:
    start, end = week_bounds(date(2024, 3, 4))
    assert start == datetime(2024, 3, 4, tzinfo=UTC)
    assert end == datetime(2024, 3, 11, tzinfo=UTC)
