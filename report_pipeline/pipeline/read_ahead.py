"""Whether a closed week was read ahead, so that its weekly run only aggregates.

A day is read ahead when a read-ahead pass of it succeeded and started after the day
closed: that pass listed every document created that day, and read those not yet in
the feature cache. A document cataloged later with an earlier `created_at` is not in
any pass; the weekly run reads it itself, as it reads any document not in the cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from report_pipeline.weeks import day_bounds

DAYS_IN_WEEK = 7


@dataclass(frozen=True)
class WeekCoverage:
    read_ahead: bool
    reason: str  # one sentence for the run's log: why the run takes the path it takes


def week_days(week: date) -> list[date]:
    return [week + timedelta(days=offset) for offset in range(DAYS_IN_WEEK)]


def week_coverage(week: date, pass_starts: Mapping[date, Iterable[datetime]]) -> WeekCoverage:
    """`pass_starts`: the start times of each day's successful read-ahead passes."""
    unread = [
        day
        for day in week_days(week)
        if not any(start >= day_bounds(day)[1] for start in pass_starts.get(day, ()))
    ]
    if not unread:
        return WeekCoverage(True, "every day of the week was read ahead after it closed")
    days = ", ".join(day.isoformat() for day in unread)
    return WeekCoverage(
        False, f"no read-ahead pass started after the close of {len(unread)} day(s): {days}"
    )
