"""The audit log: rows are only ever inserted (the database refuses updates and deletes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from report_pipeline.appdb.pagination import Listing, Page
from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.store import AppStore, utcnow


@dataclass
class AuditEvent:
    """What one request did; filled in while the request is handled."""

    action: str
    request_id: str
    actor: str = "anonymous"
    role: str | None = None
    target: str | None = None
    outcome: str = "unknown"
    status_code: int = 0
    client_address: str | None = None
    at: datetime = field(default_factory=utcnow)
    # A read of patient data (document listings, downloads) is audited like a change.
    audited_read: bool = False


def audit_entry(event: AuditEvent) -> AuditEntry:
    """The row of an event, its fields cut to the columns' sizes."""
    return AuditEntry(
        at=event.at,
        actor=event.actor[:320],
        role=event.role and event.role[:200],
        action=event.action[:100],
        target=event.target and event.target[:500],
        outcome=event.outcome[:40],
        status_code=event.status_code,
        request_id=event.request_id[:64],
        client_address=event.client_address and event.client_address[:100],
    )


def record_audit(app: AppStore, event: AuditEvent) -> None:
    with app.session() as session, session.begin():
        session.add(audit_entry(event))


AUDIT_LOG = Listing(
    select(AuditEntry),
    AuditEntry.id,
    {
        "actor": lambda actor: AuditEntry.actor == actor,
        "action": lambda action: AuditEntry.action == action,
        "since": lambda since: AuditEntry.at >= since,
        "until": lambda until: AuditEntry.at < until,
    },
    descending=True,
)


def audit_page(app: AppStore, after: int | None, limit: int, **filters: Any) -> Page[AuditEntry]:
    """Newest first; filters: actor, action, since (at or after), until (before)."""
    return AUDIT_LOG.page(app, after, limit, filters)
