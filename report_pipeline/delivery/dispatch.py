"""Send a week's report to its subscribers through the outbox, once per (report, address)."""

from __future__ import annotations

import base64
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from functools import cached_property
from typing import Literal

from report_pipeline.appdb.deliveries import (
    DEAD,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SUPPRESSED,
    ClaimedDelivery,
    OutboxStore,
)
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.addresses import wire_address
from report_pipeline.delivery.mailers import Mailer, WireMessage
from report_pipeline.delivery.message import (
    MESSAGE_POLICY,
    ReportContent,
    build_report_email,
    clean_display_name,
    message_id_for,
)
from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.send_loop import (
    ReportMail,
    SendJob,
    StopRule,
    new_job,
    run_send_loop,
    run_sender,
)
from report_pipeline.delivery.settings import DEFAULT_MAX_ATTACHMENT_BYTES, DeliverySettings
from report_pipeline.delivery.tokens import UnsubscribeLinks
from report_pipeline.delivery.wire_template import (
    SENTINEL_ADDRESS,
    SENTINEL_MAILTO,
    SENTINEL_NAME,
    SENTINEL_URL,
    Recipient,
    WireTemplate,
)

# snapshot: add subscribers not yet in the report, then send what is due (the weekly run);
# replay: failed and dead rows get a fresh attempt budget, nobody new is added.
Mode = Literal["snapshot", "replay"]
_PLACEHOLDER = b"\x00report-pipeline attachment placeholder 7f3c9a\x00"
TEMPLATE_SECONDS = 60.0  # a message's Date is at most this old


@dataclass(frozen=True)
class ReportToSend:
    report_id: int
    week: date
    summary: dict
    pdf: bytes
    pdf_filename: str
    download_url: str | None = None
    download_expires_at: datetime | None = None
    # Link-only delivery (delivery/links.py): no recipient gets the PDF; each
    # gets download_url, or their own link from `link_for` when it is set.
    link_only: bool = False
    link_for: Callable[[str], str] | None = None


@dataclass(frozen=True)
class DispatchOutcome:
    recipients: int
    sent: int  # by this run
    skipped: int  # already sent before this run
    failed: int  # still waiting for a retry when the run ended
    dead: int = 0  # given up on (this report, all runs)
    suppressed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportComposer:
    """Builds the message for one claimed delivery; pure apart from the clock."""

    report: ReportToSend
    sender: str
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    unsubscribe: UnsubscribeLinks | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def attach(self) -> bool:
        if self.report.link_only:
            return False
        return len(self.report.pdf) <= self.max_attachment_bytes or not self.report.download_url

    def __call__(self, delivery: ClaimedDelivery) -> EmailMessage:
        if not self.attach:
            return self.build(delivery, self.report.pdf)
        fast = self._from_template(delivery)
        if fast is not None:
            return fast
        # The PDF's base64 is the bulk of every message and the same for all:
        # build around a tiny placeholder, then splice the encoded PDF in once.
        message = self.build(delivery, _PLACEHOLDER)
        wire = self._splice_pdf(message.as_bytes())
        if wire is None:
            return self.build(delivery, self.report.pdf)  # never guess: the slow, sure way
        message.__class__ = WireMessage
        message.wire = wire
        return message

    def _splice_pdf(self, flat: bytes) -> bytes | None:
        if flat.count(self._placeholder_line) != 1:
            return None
        return flat.replace(self._placeholder_line, self._encoded_pdf)

    def _from_template(self, delivery: ClaimedDelivery) -> EmailMessage | None:
        template = self._template()
        if template is None:
            return None
        links = self.unsubscribe
        name = clean_display_name(delivery.recipient_name)
        recipient = Recipient(
            delivery.email,
            name,
            self._message_id(delivery.email),
            links.url_for(delivery.email) if links else None,
            links.mailto_for(delivery.email) if links else None,
        )
        wire = template.render(recipient)
        if wire is None:
            return None
        message = WireMessage(policy=MESSAGE_POLICY)
        message["From"] = self.sender
        message["To"] = Address(display_name=name or "", addr_spec=wire_address(delivery.email))
        message["Message-ID"] = recipient.message_id
        message.wire = wire
        return message

    def _template(self) -> WireTemplate | None:
        """The report's message with sentinels, rebuilt now and then so Date stays current."""
        built_at, template = self._cache.get("template", (None, None))
        if built_at is not None and time.monotonic() - built_at < TEMPLATE_SECONDS:
            return template
        sample = ClaimedDelivery(0, self.report.report_id, SENTINEL_ADDRESS, SENTINEL_NAME, 1)
        mailto = SENTINEL_MAILTO if self.unsubscribe and self.unsubscribe.mailto else None
        flat = self._splice_pdf(
            self.build(
                sample,
                _PLACEHOLDER,
                links=(SENTINEL_URL, mailto) if self.unsubscribe else None,
            ).as_bytes()
        )
        template = WireTemplate.from_bytes(flat, MESSAGE_POLICY) if flat else None
        self._cache["template"] = (time.monotonic(), template)
        return template

    @cached_property
    def _placeholder_line(self) -> bytes:
        return base64.b64encode(_PLACEHOLDER)

    @cached_property
    def _encoded_pdf(self) -> bytes:
        pdf = self.report.pdf
        return b"\r\n".join(base64.b64encode(pdf[i : i + 57]) for i in range(0, len(pdf), 57))

    def _message_id(self, address: str) -> str:
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        return message_id_for(f"report-{self.report.report_id}", address, domain)

    def build(
        self,
        delivery: ClaimedDelivery,
        pdf: bytes,
        links: tuple[str | None, str | None] | None = None,
    ) -> EmailMessage:
        """The message built from scratch; `links` overrides the recipient's unsubscribe links."""
        unsubscribe = self.unsubscribe
        if links is None and unsubscribe:
            links = (unsubscribe.url_for(delivery.email), unsubscribe.mailto_for(delivery.email))
        url, mailto = links or (None, None)
        return build_report_email(
            sender=self.sender,
            recipient=delivery.email,
            recipient_name=delivery.recipient_name,
            message_id=self._message_id(delivery.email),
            report=ReportContent(
                week_start=self.report.week,
                summary=self.report.summary,
                pdf=pdf if self.attach else None,
                pdf_filename=self.report.pdf_filename,
                download_url=None if self.attach else self._download_url(delivery.email),
                download_expires_at=None if self.attach else self.report.download_expires_at,
            ),
            unsubscribe_url=url,
            unsubscribe_mailto=mailto,
        )

    def _download_url(self, email: str) -> str | None:
        link_for = self.report.link_for
        return link_for(email) if link_for else self.report.download_url


def prepare_outbox(outbox: OutboxStore, report_id: int, *, force: bool, mode: Mode) -> int:
    """The report's rows as this send wants them; returns how many were already sent."""
    if mode == "snapshot" or not sum(outbox.counts(report_id).values()):
        # A replay of a report never sent is its first send.
        outbox.snapshot(report_id, force=force)
    if force:
        outbox.reset_for_resend(report_id, (SENT, FAILED, DEAD))
    elif mode == "replay":
        outbox.reset_for_resend(report_id, (FAILED, DEAD))
    return outbox.counts(report_id)[SENT]


class SendersIdle(RuntimeError):
    """Rows were due but no sender worker settled any of them for the configured time."""


def await_senders(
    app: AppStore,
    report_id: int,
    skipped: int,
    *,
    wait_for_retries: bool = True,
    idle_timeout: float = 600.0,
    poll_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> DispatchOutcome:
    """Wait until sender workers have settled the report's rows (REPORT_PIPELINE_SENDERS=workers).

    Settled: nothing pending or being sent and, with `wait_for_retries`, nothing
    waiting for a retry. Raises `SendersIdle` when rows are due and none changed
    for `idle_timeout` seconds (no worker running, or all stuck); time spent
    waiting for a retry's due time does not count, since no worker could act.
    """
    rule = UntilWorkersSettled(
        report_id, wait_for_retries, idle_timeout, poll_seconds, sleep, clock
    )
    job = new_job(OutboxStore(app), None, RetryPolicy(), SenderSettings())
    run_send_loop(job, report_id, _never_loaded, rule)
    return _outcome(job.outbox, report_id, skipped, rule.counts)


def _never_loaded(report_id: int) -> ReportMail:
    raise AssertionError(f"a watch-only sender never loads report {report_id}")


@dataclass
class UntilWorkersSettled(StopRule):
    """Watch only: ends when other senders settled the report's rows; raises when none acts."""

    report_id: int
    wait_for_retries: bool
    idle_timeout: float
    poll_seconds: float
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    counts: Counter[str] = field(default_factory=Counter)
    claims = False

    def __post_init__(self) -> None:
        self._last_counts: Counter[str] | None = None
        self._last_change = self.clock()

    def wait_or_end(self, job: SendJob, scope: int | None, wakeup: datetime | None) -> bool:
        self.counts = counts = job.outbox.counts(self.report_id)
        waiting = counts[PENDING] + counts[SENDING]
        if not waiting and not (self.wait_for_retries and counts[FAILED]):
            return True
        now = self.clock()
        changed = counts != self._last_counts
        if changed or not waiting and _retry_not_due(job.outbox, self.report_id):
            self._last_counts, self._last_change = counts, now
        elif now - self._last_change >= self.idle_timeout:
            raise SendersIdle(
                f"no sender worker settled any delivery of report {self.report_id} for"
                f" {self.idle_timeout:.0f} s ({waiting} pending or being sent,"
                f" {counts[FAILED]} waiting for a retry): start `report-pipeline deliveries"
                " work`, or unset REPORT_PIPELINE_SENDERS to send from the email run"
            )
        self.sleep(self.poll_seconds)
        return False


def _retry_not_due(outbox: OutboxStore, report_id: int) -> bool:
    wakeup = outbox.next_wakeup(report_id)
    return wakeup is not None and wakeup > datetime.now(UTC)


def _outcome(
    outbox: OutboxStore, report_id: int, skipped: int, counts: Counter[str]
) -> DispatchOutcome:
    dead = outbox.list(report_id=report_id, status=DEAD)
    return DispatchOutcome(
        recipients=sum(counts.values()),
        sent=max(counts[SENT] - skipped, 0),
        skipped=skipped,
        failed=counts[FAILED],
        dead=counts[DEAD],
        suppressed=counts[SUPPRESSED],
        errors=[f"{row.email}: {row.last_error}" for row, _ in dead[:20]],
    )


def dispatch_report(
    app: AppStore,
    report: ReportToSend,
    mailer: Mailer,
    sender: str,
    *,
    force: bool = False,
    mode: Mode = "snapshot",
    max_attachment_bytes: int | None = None,
    settings: DeliverySettings | None = None,
) -> DispatchOutcome:
    """Snapshot (or replay), then send every due delivery of the report.

    Already-sent deliveries are skipped unless `force`; the Message-ID is
    derived from (report, address), so a resend is recognisable downstream.
    """
    settings = settings or DeliverySettings()
    outbox = OutboxStore(app)
    skipped = prepare_outbox(outbox, report.report_id, force=force, mode=mode)
    composer = ReportComposer(
        report, sender, max_attachment_bytes or settings.max_attachment_bytes, settings.unsubscribe
    )
    try:
        totals = run_sender(
            outbox,
            report.report_id,
            composer,
            mailer,
            policy=settings.policy,
            settings=settings.sender,
            pdf_sha256=hashlib.sha256(report.pdf).hexdigest(),
        )
    finally:
        outbox.close()
    counts = outbox.counts(report.report_id)
    return DispatchOutcome(
        recipients=sum(counts.values()),
        sent=totals.sent,
        skipped=skipped,
        failed=counts[FAILED],
        dead=counts[DEAD],
        suppressed=counts[SUPPRESSED],
        errors=totals.errors[:20],
    )
