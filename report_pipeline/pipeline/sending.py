"""What a report's email carries, built from its row: for the email run and the sender workers.

The email run (defs/deliveries.py) builds it once per report it sends; a
worker (`report-pipeline deliveries work`) builds it for whichever report its
claimed rows belong to and keeps a few, keyed by the report's PDF version so a
re-rendered report is picked up, and rebuilt now and then so download links
and the message's Date stay fresh.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import PurePosixPath

from report_pipeline.appdb.reports import get_report
from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.dispatch import ReportComposer, ReportToSend
from report_pipeline.delivery.links import StoredReport, plan_links
from report_pipeline.delivery.settings import DeliverySettings
from report_pipeline.delivery.worker import ReportMail
from report_pipeline.pipeline.published import read_published_manifest
from report_pipeline.settings import Settings
from report_pipeline.storage.object_store import ObjectStore


def report_to_send(
    store: ObjectStore, report: Report, delivery: DeliverySettings, settings: Settings
) -> ReportToSend:
    """The rendered report of `report` (its PDF, summary and links), ready to mail."""
    week, customer = report.week, None if report.scope == ALL else report.scope
    if report.pdf_key is None:
        raise ValueError(f"report {report.id} has no rendered PDF")
    published = read_published_manifest(store, week, report.pdf_sha256, customer)
    pdf = store.get(report.pdf_key)
    links = plan_links(
        store,
        StoredReport(report.id, report.pdf_key, len(pdf), customer),
        settings.home,
        delivery.max_attachment_bytes,
        delivery.download_link_ttl_seconds,
        settings.patient_data,
    )
    return ReportToSend(
        report_id=report.id,
        week=week,
        summary=published["summary"],
        pdf=pdf,
        pdf_filename=PurePosixPath(report.pdf_key).name.replace(
            "weekly-report", f"weekly-report-{week.isoformat()}"
        ),
        download_url=links.download_url,
        download_expires_at=links.expires_at,
        link_only=links.link_only,
        link_for=links.link_for,
    )


class ReportMailCache:
    """`report id -> ReportMail` for a worker: the last few reports, each for `max_age` s."""

    def __init__(
        self,
        store: ObjectStore,
        app: AppStore,
        delivery: DeliverySettings,
        settings: Settings,
        sender: str,
        *,
        size: int = 4,
        max_age: float = 600.0,  # well inside any download link's lifetime
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.app, self.delivery, self.settings = store, app, delivery, settings
        self.sender, self.size, self.max_age, self._clock = sender, size, max_age, clock
        self._entries: OrderedDict[tuple[int, str | None], tuple[float, ReportMail]] = OrderedDict()

    def __call__(self, report_id: int) -> ReportMail:
        report = get_report(self.app, report_id)
        key = (report_id, report.pdf_sha256)
        cached = self._entries.get(key)
        if cached is not None and self._clock() - cached[0] < self.max_age:
            self._entries.move_to_end(key)
            return cached[1]
        mail = self._build(report)
        self._entries[key] = (self._clock(), mail)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return mail

    def _build(self, report: Report) -> ReportMail:
        to_send = report_to_send(self.store, report, self.delivery, self.settings)
        composer = ReportComposer(
            to_send,
            self.sender,
            self.delivery.max_attachment_bytes,
            self.delivery.unsubscribe,
        )
        return ReportMail(composer, hashlib.sha256(to_send.pdf).hexdigest())
