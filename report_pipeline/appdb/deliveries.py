"""The delivery outbox in the app database: snapshot, claim, lease, settle, reconcile.

Every state change is one short transaction, and every change of a `sending`
row is conditional on the caller still owning its lease, so a sender that was
presumed dead can never overwrite what its successor recorded.

Claiming is done by the database: `FOR UPDATE SKIP LOCKED` on PostgreSQL; on
SQLite one conditional UPDATE inside `BEGIN IMMEDIATE` (SQLite has a single
writer, so the statement sees and changes rows atomically).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from report_pipeline.appdb.schema import Delivery, EmailSuppression, Report, Subscriber
from report_pipeline.appdb.store import AppStore, utcnow

PENDING, SENDING, SENT, FAILED, DEAD, SUPPRESSED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "dead",
    "suppressed",
)
STATUSES = (PENDING, SENDING, SENT, FAILED, DEAD, SUPPRESSED)
_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Handover:
    """A message the mail server accepted: what its delivery row records."""

    message_id: str
    provider_message_id: str | None = None
    pdf_sha256: str | None = None  # the report version it carried (attached or linked)


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    report_id: int
    email: str
    recipient_name: str | None
    attempts: int  # including the attempt this claim starts


# `sent` is written once per message: statements built once, parameters per call.
_ROWS = Delivery.__table__
_SENT_VALUES = dict(
    status=SENT,
    message_id=bindparam("b_message_id"),
    provider_message_id=bindparam("b_provider_id"),
    sent_at=bindparam("b_now"),
    pdf_sha256=bindparam("b_pdf_sha256"),
    last_error=None,
    lease_owner=None,
    lease_expires_at=None,
    next_attempt_at=None,
    updated_at=bindparam("b_now"),
)
_SENT_IF_OURS = (
    update(_ROWS)
    .where(
        _ROWS.c.id == bindparam("b_id"),
        _ROWS.c.status == SENDING,
        _ROWS.c.lease_owner == bindparam("b_owner"),
    )
    .values(**_SENT_VALUES)
)
# Our lease was taken back meanwhile: the message did go out, so record it anyway.
_SENT_UNLESS_SENT = (
    update(_ROWS)
    .where(_ROWS.c.id == bindparam("b_id"), _ROWS.c.status != SENT)
    .values(**_SENT_VALUES)
)


def _mailed_in_week(week, scope: str, report_id: int):
    """Addresses another report of the same (week, scope) was sent (or is being sent) to."""
    return (
        select(Delivery.email)
        .join(Report, Report.id == Delivery.report_id)
        .where(
            Report.week == week,
            Report.scope == scope,
            Report.id != report_id,
            Delivery.status.in_((SENT, SENDING)),
        )
    )


def _claimable(now: datetime):
    return or_(
        Delivery.status == PENDING, and_(Delivery.status == FAILED, Delivery.next_attempt_at <= now)
    )


def _of_report(report_id: int | None):
    """One report's rows, or (None) the whole outbox: a worker sends every week and scope."""
    return true() if report_id is None else Delivery.report_id == report_id


def _update_leased(which, owner: str):
    """An UPDATE of the `sending` rows in `which` whose lease is still `owner`'s.

    A row another sender has taken over since (our lease ran out) is left to it."""
    return update(Delivery).where(which, Delivery.status == SENDING, Delivery.lease_owner == owner)


class OutboxStore:
    """Delivery rows as the sender sees them; one instance per process is fine."""

    def __init__(self, app: AppStore) -> None:
        self.app = app
        self.is_postgres = app.engine.dialect.name == "postgresql"
        self._connection: Connection | None = None

    # --- the recipient list --------------------------------------------------

    def snapshot(self, report_id: int, force: bool = False) -> int:
        """A pending row per active, unsuppressed subscriber of the report's scope not yet in it.

        One INSERT ... SELECT in one transaction, unique per (report, address):
        concurrent snapshots or subscription changes can neither duplicate a
        row nor leave half a list. One email per (week, scope, address): an
        address already mailed another report of the same week and scope (a
        forced regeneration) is left out unless `force`. Returns the rows added.
        """
        now = utcnow()
        with self.app.session() as session:
            week, scope = session.execute(
                select(Report.week, Report.scope).where(Report.id == report_id)
            ).one()
        suppressed = select(EmailSuppression.email)
        source = select(
            literal(report_id, Integer),
            Subscriber.email,
            Subscriber.name,
            literal(PENDING, String),
            literal(0, Integer),
            literal(now, Delivery.created_at.type),
            literal(now, Delivery.updated_at.type),
        ).where(
            Subscriber.active.is_(True),
            Subscriber.email.not_in(suppressed),
            Subscriber.customer == scope,
        )
        if not force:
            source = source.where(Subscriber.email.not_in(_mailed_in_week(week, scope, report_id)))
        insert = pg_insert if self.is_postgres else sqlite_insert
        statement = (
            insert(Delivery)
            .from_select(
                [
                    "report_id",
                    "email",
                    "recipient_name",
                    "status",
                    "attempts",
                    "created_at",
                    "updated_at",
                ],
                source,
            )
            .on_conflict_do_nothing(index_elements=["report_id", "email"])
        )
        with self.app.session() as session, session.begin():
            return session.execute(statement).rowcount or 0

    def reset_for_resend(self, report_id: int, statuses: Sequence[str]) -> int:
        """Put rows in `statuses` back to pending with a fresh attempt budget (replay, force)."""
        if SENDING in statuses:
            raise ValueError("a sending row belongs to its sender; reconciliation frees it")
        with self._write() as session:
            return (
                session.execute(
                    update(Delivery)
                    .where(Delivery.report_id == report_id, Delivery.status.in_(statuses))
                    .values(
                        status=PENDING,
                        attempts=0,
                        next_attempt_at=None,
                        lease_owner=None,
                        lease_expires_at=None,
                        updated_at=utcnow(),
                    )
                ).rowcount
                or 0
            )

    def suppress_pending(self, report_id: int | None) -> int:
        """Rows not yet sent to a suppressed address become `suppressed` (never sent).

        `report_id` None: every report's rows (a worker's round).
        """
        with self._write() as session:
            return (
                session.execute(
                    update(Delivery)
                    .where(
                        _of_report(report_id),
                        Delivery.status.in_((PENDING, FAILED)),
                        Delivery.email.in_(select(EmailSuppression.email)),
                    )
                    .values(
                        status=SUPPRESSED,
                        next_attempt_at=None,
                        updated_at=utcnow(),
                        last_error="address is on the suppression list",
                    )
                ).rowcount
                or 0
            )

    # --- claiming and leases -------------------------------------------------

    def claim(
        self, report_id: int | None, owner: str, limit: int, lease: timedelta
    ) -> list[ClaimedDelivery]:
        """Take up to `limit` due rows for `owner`: `sending`, leased, attempt counted.

        `report_id` None claims from the whole outbox, oldest rows first.
        """
        now = utcnow()
        due = (
            select(Delivery.id)
            .where(_of_report(report_id), _claimable(now))
            .order_by(Delivery.id)
            .limit(limit)
        )
        values = dict(
            status=SENDING,
            lease_owner=owner,
            lease_expires_at=now + lease,
            attempts=Delivery.attempts + 1,
            next_attempt_at=None,
            updated_at=now,
        )
        returning = (
            Delivery.id,
            Delivery.report_id,
            Delivery.email,
            Delivery.recipient_name,
            Delivery.attempts,
        )
        if self.is_postgres:
            locked = due.with_for_update(skip_locked=True).cte("due")
            statement = update(Delivery).where(Delivery.id == locked.c.id)
        else:
            # The outer condition repeats the inner one: under SQLite's single
            # writer it is what makes the claim safe, row by row.
            statement = update(Delivery).where(
                Delivery.id.in_(due.scalar_subquery()),
                _of_report(report_id),
                _claimable(now),
            )
        with self._write() as session:
            rows = session.execute(statement.values(**values).returning(*returning)).all()
        return sorted((ClaimedDelivery(*row) for row in rows), key=lambda d: d.id)

    def renew(self, ids: Iterable[int], owner: str, lease: timedelta) -> set[int]:
        """Extend the lease on rows still ours; returns the ids actually renewed."""
        ids = list(ids)
        if not ids:
            return set()
        with self._write() as session:
            rows = (
                session.execute(
                    _update_leased(Delivery.id.in_(ids), owner)
                    .values(lease_expires_at=utcnow() + lease)
                    .returning(Delivery.id)
                )
                .scalars()
                .all()
            )
        return set(rows)

    def reconcile_expired(self, report_id: int | None, max_attempts: int) -> int:
        """`sending` rows whose lease ran out: their sender died or stalled.

        Whether the provider took the message is unknown, so the row is due
        again at once (same Message-ID), or `dead` once its attempts are used up
        (a message that kills its sender every time must not loop forever).
        """
        now = utcnow()
        expired = and_(
            _of_report(report_id),
            Delivery.status == SENDING,
            Delivery.lease_expires_at < now,
        )
        note = "lease expired before the outcome was recorded (sender stopped?)"
        with self._write() as session:
            dead = (
                session.execute(
                    update(Delivery)
                    .where(expired, Delivery.attempts >= max_attempts)
                    .values(
                        status=DEAD,
                        lease_owner=None,
                        lease_expires_at=None,
                        last_error=f"{note}; no attempts left",
                        updated_at=now,
                    )
                ).rowcount
                or 0
            )
            retried = (
                session.execute(
                    update(Delivery)
                    .where(expired)
                    .values(
                        status=FAILED,
                        next_attempt_at=now,
                        lease_owner=None,
                        lease_expires_at=None,
                        last_error=note,
                        updated_at=now,
                    )
                ).rowcount
                or 0
            )
        return dead + retried

    # --- outcomes ------------------------------------------------------------

    def mark_sent(self, delivery_id: int, owner: str, handover: Handover) -> bool:
        """Record the hand-over; False when our lease had been taken back meanwhile.

        Even then the row ends `sent` unless it already is: the message did
        go out, and recording that spares a further copy.
        """
        params = {
            "b_id": delivery_id,
            "b_owner": owner,
            "b_message_id": handover.message_id,
            "b_provider_id": handover.provider_message_id,
            "b_now": utcnow(),
            "b_pdf_sha256": handover.pdf_sha256,
        }
        try:
            return self._record_sent(params)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # The kept connection had died (server restart, idle cut): both updates are
            # conditional, so running them again on a fresh connection is safe.
            self.close()
            return self._record_sent(params)

    def _record_sent(self, params: dict) -> bool:
        connection = self._sent_connection()
        try:
            if not self.is_postgres:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            recorded = connection.execute(_SENT_IF_OURS, params).rowcount == 1
            if not recorded:
                connection.execute(_SENT_UNLESS_SENT, params)
            connection.commit()
        except BaseException:
            if not connection.invalidated:
                connection.rollback()
            raise
        return recorded

    def _sent_connection(self) -> Connection:
        # `sent` is committed once per message, right after the provider accepts it:
        # one kept connection spares a pool checkout, a liveness ping and the ORM
        # per message, which is most of the duplicate window and of the throughput.
        if self._connection is None or self._connection.closed or self._connection.invalidated:
            self._connection = self.app.engine.connect()
        return self._connection

    def close(self) -> None:
        """Return the kept connection (if any) to the pool."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def mark_failed(
        self, delivery_id: int, owner: str, error: str, *, retry_at: datetime | None
    ) -> str | None:
        """`failed` (due again at `retry_at`) or, with no retry, `dead`.

        Returns the new status, or None when the lease was no longer ours (the
        row's new owner decides its fate).
        """
        status = FAILED if retry_at is not None else DEAD
        with self._write() as session:
            changed = session.execute(
                _update_leased(Delivery.id == delivery_id, owner).values(
                    status=status,
                    next_attempt_at=retry_at,
                    last_error=error[:_ERROR_CHARS],
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=utcnow(),
                )
            ).rowcount
        return status if changed == 1 else None

    def release(self, ids: Iterable[int], owner: str) -> int:
        """Hand unsent claimed rows back (a sender stopping early), attempt not counted."""
        ids = list(ids)
        if not ids:
            return 0
        with self._write() as session:
            return (
                session.execute(
                    _update_leased(Delivery.id.in_(ids), owner).values(
                        status=PENDING,
                        attempts=Delivery.attempts - 1,
                        lease_owner=None,
                        lease_expires_at=None,
                        updated_at=utcnow(),
                    )
                ).rowcount
                or 0
            )

    # --- reading -------------------------------------------------------------

    def being_sent(self) -> int:
        """Rows some sender holds right now (any report): they end sent, failed or expired."""
        with self.app.session() as session:
            return session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == SENDING)
            )

    def counts(self, report_id: int) -> Counter[str]:
        with self.app.session() as session:
            rows = session.execute(
                select(Delivery.status, func.count())
                .where(Delivery.report_id == report_id)
                .group_by(Delivery.status)
            ).all()
        return Counter({status: n for status, n in rows})

    def next_wakeup(self, report_id: int | None) -> datetime | None:
        """When something unfinished may become claimable: a retry or a lease end."""
        with self.app.session() as session:
            retry = session.scalar(
                select(func.min(Delivery.next_attempt_at)).where(
                    _of_report(report_id), Delivery.status == FAILED
                )
            )
            lease = session.scalar(
                select(func.min(Delivery.lease_expires_at)).where(
                    _of_report(report_id), Delivery.status == SENDING
                )
            )
        moments = [_aware(m) for m in (retry, lease) if m is not None]
        return min(moments) if moments else None

    def list(
        self, *, week: object | None = None, status: str | None = None, report_id: int | None = None
    ) -> list[tuple[Delivery, Report]]:
        query = select(Delivery, Report).join(Report, Report.id == Delivery.report_id)
        if week is not None:
            query = query.where(Report.week == week)
        if status is not None:
            query = query.where(Delivery.status == status)
        if report_id is not None:
            query = query.where(Delivery.report_id == report_id)
        with self.app.session() as session:
            return [(d, r) for d, r in session.execute(query.order_by(Report.week, Delivery.id))]

    # --- plumbing ------------------------------------------------------------

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self.app.session(), immediate=not self.is_postgres)


class _WriteTransaction:
    """A session in one write transaction; `BEGIN IMMEDIATE` on SQLite.

    IMMEDIATE takes SQLite's write lock up front, so two senders wait for each
    other (busy timeout) instead of one failing on a stale read snapshot.
    """

    def __init__(self, session: Session, *, immediate: bool) -> None:
        self.session, self.immediate = session, immediate

    def __enter__(self) -> Session:
        if self.immediate:
            # pysqlite opens no transaction before a non-DML statement, so this
            # BEGIN is the transaction the following statements run in.
            self.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return self.session

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def status_counts(app: AppStore, report_id: int) -> dict[str, int]:
    """Deliveries of one report by status, every status present (0 when none)."""
    with app.session() as session:
        rows = session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.report_id == report_id)
            .group_by(Delivery.status)
        ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: number for status, number in rows})
    return counts
