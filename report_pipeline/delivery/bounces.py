"""SES bounce / complaint events, and the SNS envelope they arrive in (signature checked).

Pure apart from fetching SNS signing certificates (injectable): the database
side is `report_pipeline.appdb.suppressions`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:  # cryptography (~7 MB) is imported by the process that verifies
    from cryptography import x509


PERMANENT_BOUNCE, TRANSIENT_BOUNCE, UNDETERMINED_BOUNCE = (
    "bounce-permanent",
    "bounce-transient",
    "bounce-undetermined",
)
COMPLAINT, DELIVERY = "complaint", "delivery"
SUPPRESSING = frozenset({PERMANENT_BOUNCE, COMPLAINT})  # the others are only counted

_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
# Both confirmation types sign the same fields (SNS's "verifying the signatures" page).
_CONFIRMATION_KEYS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": _CONFIRMATION_KEYS,
    "UnsubscribeConfirmation": _CONFIRMATION_KEYS,
}


class InvalidNotification(ValueError):
    """Not a genuine SNS message, or not an SES event we understand."""


@dataclass(frozen=True)
class EmailEventRecord:
    event_key: str  # unique per (event, recipient): redelivery is counted once
    email: str
    kind: str
    detail: str | None
    provider_message_id: str | None
    occurred_at: datetime | None


def parse_ses_event(event: dict, fallback_key: str | None = None) -> list[EmailEventRecord]:
    """One record per recipient of an SES notification or event-publishing message."""
    if not isinstance(event, dict):
        raise InvalidNotification("an SES event is a JSON object")
    kind = event.get("notificationType") or event.get("eventType")
    mail = event.get("mail") or {}
    message_id = mail.get("messageId")
    if kind == "Bounce":
        bounce = event.get("bounce") or {}
        kind_name = {"Permanent": PERMANENT_BOUNCE, "Transient": TRANSIENT_BOUNCE}.get(
            bounce.get("bounceType"), UNDETERMINED_BOUNCE
        )
        details = bounce.get("bouncedRecipients") or []
        key, at = bounce.get("feedbackId"), bounce.get("timestamp")
        subtype = f"{bounce.get('bounceType')}/{bounce.get('bounceSubType')}"
        describe = lambda r: " ".join(  # noqa: E731
            str(p) for p in (subtype, r.get("status"), r.get("diagnosticCode")) if p
        )
    elif kind == "Complaint":
        complaint = event.get("complaint") or {}
        kind_name, details = COMPLAINT, complaint.get("complainedRecipients") or []
        key, at = complaint.get("feedbackId"), complaint.get("timestamp")
        describe = lambda r: complaint.get("complaintFeedbackType") or "complaint"  # noqa: E731
    elif kind == "Delivery":
        delivery = event.get("delivery") or {}
        kind_name, at, key = DELIVERY, delivery.get("timestamp"), None
        details = [{"emailAddress": a} for a in delivery.get("recipients") or []]
        describe = lambda r: delivery.get("smtpResponse")  # noqa: E731
    else:
        raise InvalidNotification(f"unsupported SES event type {kind!r}")
    key = key or message_id or fallback_key
    if not key:
        raise InvalidNotification("the SES event has no feedbackId or messageId")
    records = []
    for recipient in details:
        address = _address(recipient.get("emailAddress"))
        if address:
            records.append(
                EmailEventRecord(
                    event_key=f"{key}:{kind_name}:{address}"[:300],
                    email=address,
                    kind=kind_name,
                    detail=describe(recipient),
                    provider_message_id=message_id,
                    occurred_at=_timestamp(at),
                )
            )
    return records


def events_from_document(document: object) -> list[EmailEventRecord]:
    """Records from a file: an SNS envelope, a bare SES event, or a JSON list of either."""
    items = document if isinstance(document, list) else [document]
    records: list[EmailEventRecord] = []
    for item in items:
        if isinstance(item, dict) and item.get("Type") == "Notification":
            records += parse_ses_event(_json(item.get("Message")), item.get("MessageId"))
        else:
            records += parse_ses_event(item)  # type: ignore[arg-type]
    return records


class SnsVerifier:
    """Checks an SNS message's signature against the certificate SNS names.

    Everything that costs nothing is checked before any certificate is fetched:
    the topic (an allow-list is required: without one nothing is accepted), the
    message shape, the signature's encoding and the certificate URL (https on
    an `sns.<region>.amazonaws.com` host, port 443). Certificates and fetch
    failures are cached; at most `max_fetches` fetches run at once, each URL is
    fetched by one caller while the others wait for its result.
    """

    def __init__(
        self,
        fetch: Callable[[str], bytes] | None = None,
        topic_arns: Iterable[str] = (),
        *,
        max_fetches: int = 4,
        failure_ttl_seconds: float = 300.0,
    ) -> None:
        self._fetch = fetch or _https_get
        self.topic_arns = frozenset(topic_arns)
        self._certificates: dict[str, x509.Certificate] = {}
        self._failures: dict[str, float] = {}  # url -> monotonic time the failure expires
        self._url_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._fetches = threading.BoundedSemaphore(max_fetches)
        self._failure_ttl = failure_ttl_seconds

    def precheck(self, envelope: object) -> dict:
        """The envelope if its topic, shape and URLs are acceptable (no network)."""
        if not self.topic_arns:
            raise InvalidNotification(
                "no SNS topic is allowed: set REPORT_PIPELINE_SES_SNS_TOPIC_ARNS"
            )
        kind = envelope.get("Type") if isinstance(envelope, dict) else None
        if kind not in _SIGNED_KEYS:
            raise InvalidNotification(f"unsupported SNS message type {str(kind)[:40]!r}")
        if envelope.get("TopicArn") not in self.topic_arns:
            raise InvalidNotification("the SNS topic is not one we subscribed to")
        required = [key for key in _SIGNED_KEYS[kind] if key != "Subject"]
        if any(not isinstance(envelope.get(key), str) for key in required) or (
            "Subject" in envelope and not isinstance(envelope["Subject"], str)
        ):
            raise InvalidNotification("the SNS message lacks a required field")
        if str(envelope.get("SignatureVersion")) not in ("1", "2"):
            raise InvalidNotification("unsupported SNS SignatureVersion")
        try:
            base64.b64decode(envelope.get("Signature") or "", validate=True)
        except (ValueError, TypeError):
            raise InvalidNotification("the SNS signature is not base64") from None
        if not envelope.get("Signature"):
            raise InvalidNotification("the SNS message is not signed")
        check_aws_url(str(envelope.get("SigningCertURL") or ""), ".pem")
        if kind != "Notification":
            check_aws_url(envelope["SubscribeURL"])
        return envelope

    def verify(self, envelope: dict) -> dict:
        """The envelope, if genuine (and from an allowed topic); else InvalidNotification."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        self.precheck(envelope)
        version = str(envelope.get("SignatureVersion"))
        algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}[version]
        signature = base64.b64decode(envelope["Signature"], validate=True)
        certificate = self._certificate(str(envelope["SigningCertURL"]))
        try:
            certificate.public_key().verify(  # type: ignore[union-attr, call-arg]
                signature, string_to_sign(envelope), padding.PKCS1v15(), algorithm
            )
        except (InvalidSignature, TypeError, ValueError):
            raise InvalidNotification("the SNS signature does not match") from None
        return envelope

    def _certificate(self, url: str) -> x509.Certificate:
        from cryptography import x509

        check_aws_url(url, ".pem")
        with self._lock:
            lock = self._url_locks.setdefault(url, threading.Lock())
        with lock:  # one fetch per URL; other URLs are not held up
            cached = self._cached(url)
            if cached is not None:
                return cached
            if not self._fetches.acquire(timeout=15):
                raise InvalidNotification("too many SNS certificate fetches at once")
            try:
                certificate = x509.load_pem_x509_certificate(self._fetch(url))
            except Exception:
                with self._lock:
                    self._failures[url] = time.monotonic() + self._failure_ttl
                raise InvalidNotification("could not load the SNS signing certificate") from None
            finally:
                self._fetches.release()
            with self._lock:
                self._certificates[url] = certificate
            return certificate

    def _cached(self, url: str) -> x509.Certificate | None:
        with self._lock:
            if url in self._certificates:
                return self._certificates[url]
            if self._failures.get(url, 0.0) > time.monotonic():
                raise InvalidNotification("could not load the SNS signing certificate (cached)")
        return None


def string_to_sign(envelope: dict) -> bytes:
    keys = _SIGNED_KEYS[envelope["Type"]]
    return "".join(f"{key}\n{envelope[key]}\n" for key in keys if key in envelope).encode()


def check_aws_url(url: str, suffix: str = "") -> None:
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError:
        raise InvalidNotification("the URL is not an https SNS URL") from None
    if (
        parsed.scheme != "https"
        or not _SNS_HOST.match(parsed.hostname or "")
        or (port not in (None, 443))
        or parsed.username
        or parsed.password
        or (suffix and not parsed.path.endswith(suffix))
    ):
        raise InvalidNotification("the URL is not an https SNS URL on port 443")


def _https_get(url: str) -> bytes:
    check_aws_url(url)
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read(100_000)


def _json(text: object) -> dict:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        raise InvalidNotification("the SNS Message is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidNotification("the SNS Message is not a JSON object")
    return value


def _address(raw: object) -> str | None:
    # Bounce reports may carry "Name <addr>"; we store bare lowercase addresses.
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1 : -1]
    return text.lower() or None


def _timestamp(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def message_of(envelope: dict) -> dict:
    """The SES event inside a verified SNS Notification."""
    return _json(envelope.get("Message"))
