"""The weekly report e-mail: one self-contained message per recipient."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from report_pipeline.classify.taxonomy import NOT_CLASSIFIED, OTHER
from report_pipeline.delivery.addresses import wire_address

TEMPLATES_DIR = Path(__file__).parent / "templates"


# SMTP policy (CRLF), but headers may run to the RFC 5322 hard limit: with the
# default 78 the folder turns a long List-Unsubscribe URL into encoded-words,
# which breaks one-click unsubscribe.
class _CachingHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new header class on every lookup; reuse them."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]


MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998, header_factory=_CachingHeaderRegistry())
_MAX_URL_LENGTH = 900
_SUMMARY_COUNTS = ("documents_total", "documents_ok", "documents_failed")
_QUIET_NAMED = 3  # trials named in the email; the report lists them all
_TYPES_NAMED = 4  # document types named in the email; the rest are "other or rarer"
_REST_LABELS = frozenset({OTHER, NOT_CLASSIFIED})


def message_id_for(report_key: str, recipient: str, domain: str) -> str:
    """Deterministic Message-ID so a resend of one delivery can be deduplicated."""
    if not domain or any(ch in domain for ch in "<>@ \t\r\n"):
        raise ValueError(f"invalid Message-ID domain {domain!r}")
    # The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
    material = f"{report_key}\0{recipient.strip().lower()}".encode()
    return f"<{hashlib.sha256(material).hexdigest()}@{domain}>"


@dataclass(frozen=True)
class ReportContent:
    """What the email tells one recipient about the report: the week, its counts, and the
    PDF attached (`pdf`) or reached through `download_url` until `download_expires_at`."""

    week_start: date
    summary: Mapping[str, Any]
    pdf: bytes | None
    pdf_filename: str
    download_url: str | None = None
    download_expires_at: datetime | None = None


def build_report_email(
    *,
    sender: str,
    recipient: str,
    recipient_name: str | None,
    message_id: str,
    report: ReportContent,
    unsubscribe_url: str | None = None,
    unsubscribe_mailto: str | None = None,
) -> EmailMessage:
    """Report e-mail with text and HTML parts and the PDF attached or linked.

    With `unsubscribe_url` (https, carrying the recipient's signed token) the
    message gets RFC 8058 one-click headers; `unsubscribe_mailto` is added to
    List-Unsubscribe for clients that only know mailto.
    """
    if report.pdf is None and not report.download_url:
        raise ValueError("report email needs the PDF or a download URL; it would carry nothing")
    for url in (report.download_url, unsubscribe_url, unsubscribe_mailto):
        if url is not None:
            _check_url(url)
    name = clean_display_name(recipient_name)
    filename = os.path.basename(report.pdf_filename) or "report.pdf"
    context = _template_context(
        greeting_name=name or recipient,
        week_start=report.week_start,
        summary=report.summary,
        pdf_attached=report.pdf is not None,
        pdf_filename=filename,
        download_url=report.download_url,
        download_expires_at=report.download_expires_at,
        unsubscribe_url=unsubscribe_url,
    )
    message = _headers(
        sender, recipient, name, report.week_start, message_id, unsubscribe_url, unsubscribe_mailto
    )
    message.set_content(_render("report_email.txt.j2", context))
    message.add_alternative(_render("report_email.html.j2", context), subtype="html")
    if report.pdf is not None:
        message.add_attachment(report.pdf, maintype="application", subtype="pdf", filename=filename)
    return message


def _headers(
    sender: str,
    recipient: str,
    name: str | None,
    week_start: date,
    message_id: str,
    unsubscribe_url: str | None,
    unsubscribe_mailto: str | None = None,
) -> EmailMessage:
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = f"Weekly document report \u2013 week of {week_start.isoformat()}"
    message["From"] = sender
    message["To"] = Address(display_name=name or "", addr_spec=wire_address(recipient))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    links = [f"<{link}>" for link in (unsubscribe_url, unsubscribe_mailto) if link]
    if links:
        message["List-Unsubscribe"] = ", ".join(links)
    if unsubscribe_url:
        # One-click is only promised for the https link (RFC 8058 section 3.1).
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def _template_context(
    *,
    greeting_name: str,
    week_start: date,
    summary: Mapping[str, Any],
    pdf_attached: bool,
    pdf_filename: str,
    download_url: str | None,
    download_expires_at: datetime | None,
    unsubscribe_url: str | None,
) -> dict[str, Any]:
    missing = [key for key in _SUMMARY_COUNTS if key not in summary]
    if missing:
        raise ValueError(f"report summary lacks {', '.join(missing)}")
    week_end = week_start + timedelta(days=6)
    return {
        "greeting_name": greeting_name,
        "week_label": f"Week of {week_start.isoformat()} \u2013 {week_end.isoformat()}",
        **{key: summary[key] for key in _SUMMARY_COUNTS},
        # Absent from reports published before the review list existed: then not shown.
        "needs_review": summary.get("needs_review"),
        "customers": _customer_rows(summary.get("by_customer") or {}),
        "what_changed": what_changed(summary),
        "pdf_attached": pdf_attached,
        "pdf_filename": pdf_filename,
        "download_url": download_url,
        "download_expires": _format_expiry(download_expires_at),
        "unsubscribe_url": unsubscribe_url,
    }


def what_changed(summary: Mapping[str, Any]) -> list[str]:
    """At most two lines: adverse-event reports and quiet trials, then the week by type.

    Counts, the taxonomy's type labels and trial ids only: nothing read from a
    document. A summary published before these counts existed gives no line.
    """
    urgent = []
    read_today = summary.get("read_today")
    if isinstance(read_today, int) and read_today:
        urgent.append(f"{read_today} adverse-event report{'s' if read_today != 1 else ''}")
    quiet = [q for q in summary.get("gone_quiet") or [] if isinstance(q, Mapping)]
    for trial in quiet[:_QUIET_NAMED]:
        documents, median = trial.get("documents"), trial.get("median")
        if documents and isinstance(median, (int, float)):
            urgent.append(f"trial {trial.get('trial_id')} sent {documents} (usually {median:g})")
        else:
            urgent.append(f"trial {trial.get('trial_id')} sent nothing this week")
    if len(quiet) > _QUIET_NAMED:
        urgent.append(f"{len(quiet) - _QUIET_NAMED} more trials went quiet")
    lines = ["; ".join(urgent)] if urgent else []
    by_type = summary.get("by_document_type")
    if isinstance(by_type, Mapping) and by_type:
        counts = sorted(by_type.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
        # The taxonomy's own "other", the unclassified and the rarer types join the
        # rest: "other or rarer", as it is more than the report's "other" row.
        typed = [(label, n) for label, n in counts if label not in _REST_LABELS]
        named = [f"{n} {label}" for label, n in typed[:_TYPES_NAMED]]
        rest = sum(int(n) for _, n in counts) - sum(int(n) for _, n in typed[:_TYPES_NAMED])
        if rest:
            named.append(f"{rest} other or rarer")
        lines.append("By document type: " + ", ".join(named))
    return lines


def _customer_rows(by_customer: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"name": str(customer), "description": _describe_counts(by_customer[customer])}
        for customer in sorted(by_customer, key=str)
    ]


def _describe_counts(value: Any) -> str:
    # The summary may carry a bare count or a per-customer breakdown.
    if not isinstance(value, Mapping):
        return f"{value} documents"
    total = value.get("documents_total", value.get("total"))
    ok = value.get("documents_ok", value.get("ok"))
    failed = value.get("documents_failed", value.get("failed"))
    if total is None:
        return ", ".join(f"{key}: {val}" for key, val in value.items())
    details = [f"{n} {label}" for n, label in ((ok, "ok"), (failed, "failed")) if n is not None]
    return f"{total} documents" + (f" ({', '.join(details)})" if details else "")


def _format_expiry(expires_at: datetime | None) -> str | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:  # naive datetimes in this project are UTC
        expires_at = expires_at.replace(tzinfo=UTC)
    return expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def clean_display_name(name: str | None) -> str | None:
    # Collapsing whitespace keeps CR/LF out of the To header and the greeting.
    cleaned = " ".join((name or "").split())
    return cleaned or None


def _check_url(url: str) -> None:
    if not url.isascii() or any(ch.isspace() for ch in url) or any(c in url for c in "<>"):
        raise ValueError("URL must be ASCII without whitespace or angle brackets")
    if len(url) > _MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {_MAX_URL_LENGTH} characters")


def _render(template_name: str, context: Mapping[str, Any]) -> str:
    return _environment().get_template(template_name).render(context)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
