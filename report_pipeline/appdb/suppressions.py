"""Provider events and the suppression list: a permanent bounce or complaint stops all mail.

Each event is stored once (unique key), so SNS redelivering a notification or
an operator ingesting a file twice changes nothing. A newly suppressed address
gets an audit row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from report_pipeline.appdb.audit import AuditEvent, record_audit
from report_pipeline.appdb.schema import EmailEvent, EmailSuppression
from report_pipeline.appdb.store import AppStore, utcnow
from report_pipeline.delivery.bounces import (
    PERMANENT_BOUNCE,
    SUPPRESSING,
    TRANSIENT_BOUNCE,
    EmailEventRecord,
)


@dataclass
class IngestResult:
    recorded: int = 0
    duplicates: int = 0
    suppressed: list[str] = field(default_factory=list)


def _added(session: Session, insert: Any, unique: str) -> bool:
    """Run an INSERT that does nothing when a row with the same `unique` column exists;
    True when this one added its row."""
    return session.execute(insert.on_conflict_do_nothing(index_elements=[unique])).rowcount == 1


def ingest_events(
    app: AppStore,
    records: Iterable[EmailEventRecord],
    *,
    actor: str,
    request_id: str | None = None,
    role: str = "ses-events",
) -> IngestResult:
    """Store new events; suppress addresses with a permanent bounce or a complaint."""
    insert = pg_insert if app.engine.dialect.name == "postgresql" else sqlite_insert
    result = IngestResult()
    for record in records:
        now = utcnow()
        with app.session() as session, session.begin():
            added = _added(
                session,
                insert(EmailEvent).values(
                    event_key=record.event_key,
                    email=record.email,
                    kind=record.kind,
                    detail=(record.detail or "")[:2000] or None,
                    provider_message_id=record.provider_message_id,
                    occurred_at=record.occurred_at,
                    received_at=now,
                ),
                "event_key",
            )
            if not added:
                result.duplicates += 1
                continue
            result.recorded += 1
            if record.kind not in SUPPRESSING:
                continue
            newly = _added(
                session,
                insert(EmailSuppression).values(
                    email=record.email,
                    reason=record.kind,
                    detail=(record.detail or "")[:2000],
                    created_at=now,
                ),
                "email",
            )
        if newly:
            result.suppressed.append(record.email)
            record_audit(
                app,
                AuditEvent(
                    action="suppress email address",
                    request_id=request_id or uuid.uuid4().hex,
                    actor=actor,
                    role=role,
                    target=f"email:{record.email}",
                    outcome="success",
                    status_code=200,
                ),
            )
    return result


SMTP_SENDER = "smtp-sender"


def suppress_hard_bounce(app: AppStore, email: str, reply: str, report_id: int) -> bool:
    """An SMTP 5.1.x / 5.2.1 rejection, stored and suppressed like an SES permanent bounce.

    The event key is per (report, address), so a retried or replayed send that
    bounces again is counted once. True when the address was newly suppressed.
    """
    record = EmailEventRecord(
        event_key=f"smtp:{report_id}:{email}",
        email=email,
        kind=PERMANENT_BOUNCE,
        detail=f"smtp: {reply}",
        provider_message_id=None,
        occurred_at=utcnow(),
    )
    result = ingest_events(app, [record], actor=SMTP_SENDER, role=SMTP_SENDER)
    return bool(result.suppressed)


def suppressed(app: AppStore) -> dict[str, str]:
    with app.session() as session:
        return dict(session.execute(select(EmailSuppression.email, EmailSuppression.reason)).all())


def suppression_reasons(app: AppStore, emails: Iterable[str]) -> dict[str, str]:
    """Reason (and detail) per suppressed address among `emails`."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    with app.session() as session:
        rows = session.execute(
            select(EmailSuppression.email, EmailSuppression.reason, EmailSuppression.detail).where(
                EmailSuppression.email.in_(wanted)
            )
        ).all()
    return {email: f"{reason}: {detail}" if detail else reason for email, reason, detail in rows}


def transient_bounce_counts(app: AppStore) -> dict[str, int]:
    with app.session() as session:
        return dict(
            session.execute(
                select(EmailEvent.email, func.count())
                .where(EmailEvent.kind == TRANSIENT_BOUNCE)
                .group_by(EmailEvent.email)
            ).all()
        )
