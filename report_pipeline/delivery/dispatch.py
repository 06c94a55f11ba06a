"""Send a week's report to its subscribers, at most once per (report, address)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.utils import parseaddr

from report_pipeline.appdb.store import DELIVERY_SENT, AppStore
from report_pipeline.delivery.mailers import Mailer, SendError
from report_pipeline.delivery.message import build_report_email, message_id_for

DEFAULT_MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024


@dataclass(frozen=True)
class ReportToSend:
    report_id: int
    week: date
    summary: dict
    pdf: bytes
    pdf_filename: str
    download_url: str | None = None


@dataclass(frozen=True)
class DispatchOutcome:
    recipients: int
    sent: int
    skipped: int
    failed: int


def dispatch_report(
    app: AppStore, report: ReportToSend, mailer: Mailer, sender: str, *,
    force: bool = False, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> DispatchOutcome:
    """Snapshot the subscribers into deliveries, then send every unsent one.

    Already-sent deliveries are skipped unless `force`; the Message-ID is
    derived from (report, address), so a resend is recognisable downstream.
    """
    app.snapshot_deliveries(report.report_id)
    deliveries = app.deliveries(report.report_id)
    todo = [d for d in deliveries if force or d.status != DELIVERY_SENT]
    attach = len(report.pdf) <= max_attachment_bytes or report.download_url is None
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    sent = failed = 0
    with mailer:
        for delivery in todo:
            message_id = message_id_for(f"report-{report.report_id}", delivery.email, domain)
            message = build_report_email(
                sender=sender, recipient=delivery.email, recipient_name=delivery.recipient_name,
                week_start=report.week, summary=report.summary,
                pdf=report.pdf if attach else None, pdf_filename=report.pdf_filename,
                message_id=message_id, download_url=None if attach else report.download_url,
            )
            try:
                mailer.send(message)
            except SendError as error:
                app.mark_failed(delivery.id, str(error))
                failed += 1
                continue
            app.mark_sent(delivery.id, message_id)
            sent += 1
    return DispatchOutcome(len(deliveries), sent, len(deliveries) - len(todo), failed)
