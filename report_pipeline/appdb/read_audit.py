"""Audit rows for command-line reads of patient data (documents show, dead letters).

The API audits its own requests (api/audit_middleware.py); a CLI read goes to
the same append-only table so one log answers "who looked at this document".
"""

from __future__ import annotations

import getpass
import os
import uuid

from report_pipeline.appdb.audit import AuditEvent, record_audit
from report_pipeline.appdb.store import AppStore

CLI_ROLE = "cli"


def cli_actor(as_name: str | None) -> str:
    """`--as NAME` when given, else the operating-system user running the command."""
    if as_name and as_name.strip():
        return as_name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid:{os.getuid()}"


def cli_event(action: str, actor: str, target: str, outcome: str) -> AuditEvent:
    """The audit event of a command-line action (a read, or a change such as a label)."""
    return AuditEvent(
        action=action,
        request_id=uuid.uuid4().hex,
        actor=actor,
        role=CLI_ROLE,
        target=target,
        outcome=outcome,
        status_code=0,
    )


def record_cli_read(app: AppStore, actor: str, action: str, target: str, outcome: str) -> None:
    """One audit row for a read done from the command line."""
    event = cli_event(action, actor, target, outcome)
    event.audited_read = True
    record_audit(app, event)
