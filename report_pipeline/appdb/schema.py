"""The app database: subscribers, reports and email deliveries.

One SQLAlchemy schema for PostgreSQL (production) and SQLite (embedded);
Alembic migrations in ``migrations/`` own its evolution.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Subscriber(Base):
    """One subscription: an address and a scope (a customer id, or `all`)."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("email", "customer", name="uq_subscribers_email_customer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    subscribed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    customer: Mapped[str] = mapped_column(String(64), server_default="all", default="all")


# States in which a week's report is being made: at most one such row per week
# (a partial unique index, enforced by PostgreSQL and SQLite alike), so parallel
# requests can never start two runs for one week.
ACTIVE_REPORT_STATES = ("requested", "running")
_ACTIVE_WHERE = text("state IN ('requested', 'running')")


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        Index(
            "uq_reports_active_week",
            "week",
            unique=True,
            postgresql_where=_ACTIVE_WHERE,
            sqlite_where=_ACTIVE_WHERE,
        ),
        Index("ix_reports_week_scope", "week", "scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20))
    report_uri: Mapped[str | None] = mapped_column(Text)
    pdf_key: Mapped[str | None] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    documents_total: Mapped[int | None] = mapped_column(Integer)
    documents_failed: Mapped[int | None] = mapped_column(Integer)
    dagster_run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Completeness gate (report_pipeline.pipeline.gate): a report with too many failed
    # documents is held; its emails wait until an operator releases it.
    hold_reason: Mapped[str | None] = mapped_column(Text)
    held_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(String(320))
    # One report per (week, scope): `all` (the internal view) or one customer id.
    # Only `all` rows are requested and run; customer rows are written by the run.
    scope: Mapped[str] = mapped_column(String(64), server_default="all", default="all")


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("report_id", "email", name="uq_delivery_report_email"),
        # The sender's claim query: due rows of one report, by state and retry time.
        Index("ix_deliveries_due", "report_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Outbox state machine (report_pipeline.delivery.outbox): a `failed` row is
    # retried at `next_attempt_at`; a `sending` row belongs to `lease_owner`
    # until `lease_expires_at`, after which reconciliation takes it back.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    # The report version (PDF sha256) this message carried; the PDF itself stays
    # in the object store under that version (see ReportVersion).
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class ReportVersion(Base):
    """One immutable rendering of a report: the PDF at `pdf_key` has these bytes."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "pdf_sha256", name="uq_report_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A service account's key: only a SHA-256 of it is kept (keys are 256-bit random)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One mutating or denied API request; append-only (database triggers refuse changes)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(40))
    status_code: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(100))


class EmailSuppression(Base):
    """An address that must get no more mail: a permanent bounce or a complaint."""

    __tablename__ = "email_suppressions"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EmailEvent(Base):
    """One provider event (bounce, complaint, delivery) for one recipient.

    `event_key` is unique, so a notification delivered twice (SNS retries) or a
    file ingested twice is counted once.
    """

    __tablename__ = "email_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(300), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SendRateBucket(Base):
    """The shared send-rate bucket of one provider when no Redis is configured.

    Updated under a row lock by every sender (appdb/send_rate.py); `updated` is
    seconds since the epoch on the database's clock.
    """

    __tablename__ = "send_rate_buckets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)


class DocumentLabel(Base):
    """An operator's document type for one document; every change is in the audit log."""

    __tablename__ = "document_labels"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    labeled_by: Mapped[str] = mapped_column(String(320))
    labeled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
