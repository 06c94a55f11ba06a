"""Operator alerts as plain messages and decisions (no Dagster): run failures, deadlines."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from report_pipeline import weeks
from report_pipeline.appdb.store import AppStore

DONE_DELIVERY = {"sent", "suppressed"}


def operator_message(
    subject: str, body: str, sender: str, recipients: list[str], key: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[report-pipeline] {subject}"
    message["From"], message["To"] = sender, ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    # Deterministic: a re-sent alert for the same run or week is recognisably the same.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<alert-{digest}@report-pipeline>"
    message.set_content(body)
    return message


def run_failure_message(
    run_id: str,
    job: str,
    partition: str | None,
    error: str,
    base_url: str,
    sender: str,
    recipients: list[str],
) -> EmailMessage:
    week = f" for week {partition}" if partition else ""
    link = f"{base_url}/runs/{run_id}"
    body = f"Run {run_id} of {job}{week} failed.\n\n{error}\n\nOpen it: {link}\n"
    return operator_message(
        f"run {run_id[:8]} of {job}{week} failed", body, sender, recipients, f"run-failure-{run_id}"
    )


def last_closed_week(now: datetime) -> date:
    return weeks.last_closed_week(now.astimezone(UTC).date())


def overdue_reason(app: AppStore, now: datetime, hours: float) -> tuple[date, str] | None:
    """(week, why) when the last closed week is past its deadline and not done, else None.

    Done means: a succeeded or noop report, and (unless held or empty) every
    delivery sent or suppressed, with at least one delivery when anyone is subscribed.
    """
    week = last_closed_week(now)
    deadline = datetime.combine(week + timedelta(days=7), time.min, UTC) + timedelta(hours=hours)
    if now < deadline:
        return None
    report = app.latest_report(week)
    if report is None or report.state not in ("succeeded", "noop", "held"):
        state = report.state if report else "never started"
        return (
            week,
            f"no finished report for week {week} by {deadline:%Y-%m-%d %H:%M} UTC ({state})",
        )
    if report.state == "noop" or (report.hold_reason and report.released_at is None):
        return None  # nothing to mail, or held on purpose (the gate said why)
    statuses = [d.status for d in app.deliveries(report.id)]
    if not statuses and app.subscribers():
        return week, f"report of week {week} rendered but no email run happened by the deadline"
    pending = [s for s in statuses if s not in DONE_DELIVERY]
    if pending:
        return (
            week,
            f"{len(pending)} of {len(statuses)} emails of week {week} not sent by the deadline",
        )
    return None
