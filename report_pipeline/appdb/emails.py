"""Email rows (`deliveries`) as the API manages them: schedule, list, status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from report_pipeline.appdb.pagination import Page, keyset_page
from report_pipeline.appdb.reports import ReportNotFound
from report_pipeline.appdb.schema import Delivery, Report
from report_pipeline.appdb.store import AppStore, utcnow

EMAIL_STATUSES = ("pending", "sending", "sent", "failed", "dead", "suppressed")
# A sent email stays sent (resending is the dispatcher's `force`, not a status edit);
# `sending` and `suppressed` belong to the outbox sender and bounce handling only.
EMAIL_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"sent", "failed"}),
    "sending": frozenset({"sent", "failed"}),
    "failed": frozenset({"pending", "sent", "failed", "dead"}),
    "dead": frozenset({"pending"}),
    "sent": frozenset(),
    "suppressed": frozenset(),
}


class EmailNotFound(LookupError):
    pass


class InvalidEmailTransition(ValueError):
    pass


def schedule_email(
    app: AppStore, report_id: int, email: str, name: str | None = None
) -> tuple[Delivery, bool]:
    """The (report, address) row, created `pending` if new; idempotent under races."""
    now = utcnow()
    with app.session() as session, session.begin():
        if session.get(Report, report_id) is None:
            raise ReportNotFound(f"no report with id {report_id}")
        insert = pg_insert if app.engine.dialect.name == "postgresql" else sqlite_insert
        created = (
            session.execute(
                insert(Delivery)
                .values(
                    report_id=report_id,
                    email=email,
                    recipient_name=name,
                    status="pending",
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["report_id", "email"])
            ).rowcount
            == 1
        )
        row = session.scalar(
            select(Delivery).where(Delivery.report_id == report_id, Delivery.email == email)
        )
        return row, created


def emails_page(app: AppStore, report_id: int, *, after: int | None, limit: int) -> Page[Delivery]:
    with app.session() as session:
        if session.get(Report, report_id) is None:
            raise ReportNotFound(f"no report with id {report_id}")
        return keyset_page(
            session,
            select(Delivery).where(Delivery.report_id == report_id),
            Delivery.id,
            after,
            limit,
        )


@dataclass(frozen=True)
class StatusChange:
    """What a sender worker reports about one email."""

    status: str
    message_id: str | None = None
    error: str | None = None


def update_email_status(app: AppStore, email_id: int, change: StatusChange) -> Delivery:
    status = change.status
    if status not in EMAIL_STATUSES:
        raise InvalidEmailTransition(
            f"unknown status {status!r}; expected one of {', '.join(EMAIL_STATUSES)}"
        )
    with app.session() as session, session.begin():
        row = session.get(Delivery, email_id, with_for_update=True)
        if row is None:
            raise EmailNotFound(f"no email with id {email_id}")
        if status == row.status and status != "failed":
            return row  # repeating a callback changes nothing
        if status not in EMAIL_TRANSITIONS[row.status]:
            raise InvalidEmailTransition(f"an email cannot go from {row.status!r} to {status!r}")
        now = utcnow()
        row.status, row.updated_at = status, now
        if status in ("sent", "failed"):
            row.attempts += 1
        if status == "sent":
            row.sent_at, row.last_error = now, None
            row.message_id = change.message_id or row.message_id
        if status == "failed":
            row.last_error = (change.error or "failed")[:2000]
        return row
