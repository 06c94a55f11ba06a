"""Week arithmetic: a week starts Monday 00:00 UTC and is named by that Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


class InvalidWeek(ValueError):
    pass


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_closed_week(today: date | None = None) -> date:
    """The Monday of the last complete UTC week before `today` (default: now)."""
    return week_start_of(today or datetime.now(UTC).date()) - timedelta(days=7)


def parse_week(text: str) -> date:
    """The Monday of the week containing the ISO date `text`."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidWeek(f"invalid week {text!r}: expected a date as YYYY-MM-DD") from None
    return week_start_of(day)


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """Half-open UTC interval [Monday 00:00, next Monday 00:00)."""
    start = datetime.combine(week_start, time.min, tzinfo=UTC)
    return start, start + timedelta(days=7)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Half-open UTC interval [day 00:00, next day 00:00): one read-ahead pass's documents."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


class WeekNotRunnable(ValueError):
    pass


def check_runnable(week: date, first_week: date, today: date | None = None) -> None:
    """A week can run once it has started, and not before the first weekly partition."""
    current = week_start_of(today or datetime.now(UTC).date())
    if week < first_week:
        raise WeekNotRunnable(
            f"week {week} is before the first week {first_week} (REPORT_PIPELINE_FIRST_WEEK)"
        )
    if week > current:
        raise WeekNotRunnable(f"week {week} has not started yet")
