from datetime import UTC, date, datetime

import pytest

from report_pipeline.weeks import InvalidWeek, parse_week, week_bounds


@pytest.mark.parametrize("text", ["2024-03-04", "2024-03-07", "2024-03-10"])
def test_any_day_names_its_monday(text: str) -> None:
    assert parse_week(text) == date(2024, 3, 4)


@pytest.mark.parametrize("text", ["", "2024-13-01", "last week", "2024/03/04", "2024-02-30"])
def test_malformed_weeks_are_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(InvalidWeek, match="expected a date as YYYY-MM-DD"):
        parse_week(text)


def test_week_bounds_are_utc_monday_to_monday() -> None:
    start, end = week_bounds(date(2024, 3, 4))
    assert start == datetime(2024, 3, 4, tzinfo=UTC)
    assert end == datetime(2024, 3, 11, tzinfo=UTC)
