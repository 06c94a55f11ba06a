"""Work a fault left waiting: deliveries of a week not settled yet, as one line.

`report-pipeline run` prints it and `GET /api/reports` carries it (`work_waiting`),
so whoever looks after a fault (a full disk, a database or mail server that went
away) sees what is left and the command that finishes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from report_pipeline.appdb.deliveries import FAILED, PENDING, SENDING, OutboxStore
from report_pipeline.appdb.store import AppStore

# Rows a sender will still deliver: queued, leased to a sender, or failed with a
# retry scheduled (dead rows need a person: `deliveries replay`, not this line).
WAITING = (PENDING, SENDING, FAILED)


def waiting_count(counts: Mapping[str, int]) -> int:
    return sum(counts.get(status, 0) for status in WAITING)


def work_waiting_line(waiting: int, week: date) -> str | None:
    """The one line for `waiting` unsent emails of the week, or None when none wait."""
    if waiting <= 0:
        return None
    return (
        f"work waiting: {waiting} emails of week {week} not sent yet — run"
        f" `report-pipeline run --week {week}` (or `report-pipeline deliveries work --until-idle`)"
    )


def week_work_waiting(
    app: AppStore, week: date, report_ids: Iterable[int] | None = None
) -> str | None:
    """The line for the week's reports (every scope's latest, or `report_ids`)."""
    ids = list(report_ids) if report_ids is not None else [r.id for r in app.week_reports(week)]
    outbox = OutboxStore(app)
    return work_waiting_line(sum(waiting_count(outbox.counts(i)) for i in ids), week)
