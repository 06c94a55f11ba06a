"""What a monitoring scrape reads from the app database: a few small aggregate queries.

Read at scrape time (no counters kept in the API process), so every API replica
reports the same values and a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from report_pipeline.appdb.deliveries import STATUSES
from report_pipeline.appdb.schema import Delivery, Report
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore, utcnow
from report_pipeline.weeks import week_start_of

FINISHED = ("succeeded", "noop", "held")  # the week has its report (held: rendered, emails wait)
OPEN_DELIVERY = ("pending", "sending", "failed")  # still to go out (failed: waiting for a retry)


@dataclass(frozen=True)
class PipelineSnapshot:
    last_closed_week: date
    last_closed_week_state: str | None  # its latest report's state; None: never started
    last_succeeded_week: date | None
    last_week: date | None  # the newest finished report's week and its counts
    last_week_documents: int | None
    last_week_failed: int | None
    reports_by_state: dict[str, int]
    reports_held: int  # held and not released
    deliveries_by_status: dict[str, int]
    oldest_open_delivery_age_seconds: float  # 0 when nothing waits


def pipeline_snapshot(app: AppStore, now: datetime | None = None) -> PipelineSnapshot:
    now = now or utcnow()
    closed = week_start_of(now.date()) - timedelta(days=7)
    with app.session() as session:
        closed_state = session.scalar(
            select(Report.state)
            .where(Report.week == closed, Report.scope == ALL)
            .order_by(Report.id.desc())
            .limit(1)
        )
        # Week-level figures are the `all` report's; customer reports are counted as held only.
        succeeded = session.scalar(
            select(func.max(Report.week)).where(Report.state == "succeeded", Report.scope == ALL)
        )
        last = session.execute(
            select(Report.week, Report.documents_total, Report.documents_failed)
            .where(Report.state.in_(FINISHED), Report.scope == ALL)
            .order_by(Report.week.desc(), Report.id.desc())
            .limit(1)
        ).first()
        by_state = dict(
            session.execute(
                select(Report.state, func.count()).where(Report.scope == ALL).group_by(Report.state)
            ).all()
        )
        held = (
            session.scalar(
                select(func.count())
                .select_from(Report)
                .where(Report.hold_reason.is_not(None), Report.released_at.is_(None))
            )
            or 0
        )
        by_status = dict.fromkeys(STATUSES, 0)
        by_status.update(
            session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
        oldest = session.scalar(
            select(func.min(Delivery.created_at)).where(Delivery.status.in_(OPEN_DELIVERY))
        )
    return PipelineSnapshot(
        last_closed_week=closed,
        last_closed_week_state=closed_state,
        last_succeeded_week=succeeded,
        last_week=last[0] if last else None,
        last_week_documents=last[1] if last else None,
        last_week_failed=last[2] if last else None,
        reports_by_state=by_state,
        reports_held=held,
        deliveries_by_status=by_status,
        oldest_open_delivery_age_seconds=_age(now, oldest),
    )


def _age(now: datetime, moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:  # SQLite hands timestamps back naive (they are UTC)
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - moment).total_seconds())
