"""Test sends: the week's email exactly as a subscriber gets it, to one address, marked [Test].

A proof before the real send. Nothing is written to the delivery outbox, so
the week's real send neither skips nor repeats anybody because of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import PurePosixPath

from report_pipeline.appdb.deliveries import ClaimedDelivery
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.dispatch import ReportComposer, ReportToSend
from report_pipeline.delivery.mailers import Mailer
from report_pipeline.delivery.message import message_id_for
from report_pipeline.delivery.settings import DeliverySettings
from report_pipeline.pipeline.published import read_published_manifest
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore

TEST_PREFIX = "[Test] "


class NoReportToTest(LookupError):
    """The week has no rendered report yet: there is nothing to send."""


@dataclass(frozen=True)
class TestSend:
    week: date
    report_id: int
    to: str
    subject: str
    message_id: str
    attached: bool


@dataclass(frozen=True)
class Proof:
    """The subscriber's message for ``to``, [Test] in the subject: built to look at, or sent.

    ``scope``: `all` or a customer id; a customer's test is that customer's email only.
    """

    app: AppStore
    store: ObjectStore
    sender: str
    week: date
    to: str
    settings: DeliverySettings
    recipient_name: str | None = None
    scope: str = ALL

    def build(self) -> tuple[EmailMessage, int]:
        """The message (a Message-ID of its own) and the id of the report it carries."""
        report = self.app.latest_report(self.week, self.scope)
        if report is None or report.pdf_key is None:
            whose = "" if self.scope == ALL else f" of customer {self.scope}"
            raise NoReportToTest(
                f"no rendered report{whose} for week {self.week}; run the week first"
            )
        try:
            customer = None if self.scope == ALL else self.scope
            summary = read_published_manifest(self.store, self.week, customer=customer)["summary"]
            pdf = self.store.get(report.pdf_key)
        except ObjectNotFound as error:
            raise NoReportToTest(
                f"the report of week {self.week} is missing from storage: {error}"
            ) from None
        to_send = ReportToSend(
            report_id=report.id,
            week=self.week,
            summary=summary,
            pdf=pdf,
            pdf_filename=PurePosixPath(report.pdf_key).name.replace(
                "weekly-report", f"weekly-report-{self.week.isoformat()}"
            ),
        )
        composer = ReportComposer(
            to_send, self.sender, self.settings.max_attachment_bytes, self.settings.unsubscribe
        )
        # The same builder the real send uses, so the proof shows what subscribers get.
        message = composer.build(
            ClaimedDelivery(0, report.id, self.to, self.recipient_name, 1), pdf
        )
        message.replace_header("Subject", TEST_PREFIX + str(message["Subject"]))
        # A fresh id: the real message's id is kept for the real send (deduplication).
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        message.replace_header(
            "Message-ID", message_id_for(f"test-{uuid.uuid4()}", self.to, domain)
        )
        return message, report.id

    def send(self, mailer: Mailer) -> TestSend:
        message, report_id = self.build()
        with mailer:
            mailer.send(message)
        return TestSend(
            self.week,
            report_id,
            self.to,
            str(message["Subject"]),
            str(message["Message-ID"]),
            any(True for _ in message.iter_attachments()),
        )
