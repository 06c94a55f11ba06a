"""SES bounce / complaint events, and the SNS envelope they arrive in (signature checked).

Pure apart from fetching SNS signing certificates (injectable): the database
side is `report_pipeline.appdb.suppressions`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

PERMANENT_BOUNCE, TRANSIENT_BOUNCE, UNDETERMINED_BOUNCE = (
    "bounce-permanent", "bounce-transient", "bounce-undetermined")
COMPLAINT, DELIVERY = "complaint", "delivery"
SUPPRESSING = frozenset({PERMANENT_BOUNCE, COMPLAINT})  # the others are only counted

_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                                 "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                                "TopicArn", "Type"),
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
            bounce.get("bounceType"), UNDETERMINED_BOUNCE)
        details = bounce.get("bouncedRecipients") or []
        key, at = bounce.get("feedbackId"), bounce.get("timestamp")
        subtype = f"{bounce.get('bounceType')}/{bounce.get('bounceSubType')}"
        describe = lambda r: " ".join(  # noqa: E731
            str(p) for p in (subtype, r.get("status"), r.get("diagnosticCode")) if p)
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
            records.append(EmailEventRecord(
                event_key=f"{key}:{kind_name}:{address}"[:300], email=address, kind=kind_name,
                detail=describe(recipient), provider_message_id=message_id,
                occurred_at=_timestamp(at)))
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

    The certificate URL must be https on an `sns.<region>.amazonaws.com` host,
    so a forger cannot point us at a certificate of their own.
    """

    def __init__(self, fetch: Callable[[str], bytes] | None = None,
                 topic_arns: Iterable[str] = ()) -> None:
        self._fetch = fetch or _https_get
        self.topic_arns = frozenset(topic_arns)
        self._certificates: dict[str, x509.Certificate] = {}
        self._lock = threading.Lock()

    def verify(self, envelope: dict) -> dict:
        """The envelope, if genuine (and from an allowed topic); else InvalidNotification."""
        kind = envelope.get("Type") if isinstance(envelope, dict) else None
        if kind not in _SIGNED_KEYS:
            raise InvalidNotification(f"unsupported SNS message type {kind!r}")
        if self.topic_arns and envelope.get("TopicArn") not in self.topic_arns:
            raise InvalidNotification("the SNS topic is not one we subscribed to")
        version = str(envelope.get("SignatureVersion"))
        algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(version)
        if algorithm is None:
            raise InvalidNotification(f"unsupported SNS SignatureVersion {version!r}")
        try:
            signature = base64.b64decode(envelope.get("Signature") or "", validate=True)
        except ValueError:
            raise InvalidNotification("the SNS signature is not base64") from None
        certificate = self._certificate(str(envelope.get("SigningCertURL") or ""))
        try:
            certificate.public_key().verify(  # type: ignore[union-attr, call-arg]
                signature, string_to_sign(envelope), padding.PKCS1v15(), algorithm)
        except (InvalidSignature, TypeError, ValueError):
            raise InvalidNotification("the SNS signature does not match") from None
        return envelope

    def _certificate(self, url: str) -> x509.Certificate:
        check_aws_url(url, ".pem")
        with self._lock:
            if url not in self._certificates:
                try:
                    self._certificates[url] = x509.load_pem_x509_certificate(self._fetch(url))
                except Exception:  # noqa: BLE001 - unreachable or not a certificate
                    raise InvalidNotification("could not load the SNS signing certificate") \
                        from None
            return self._certificates[url]


def string_to_sign(envelope: dict) -> bytes:
    keys = _SIGNED_KEYS[envelope["Type"]]
    return "".join(f"{key}\n{envelope[key]}\n" for key in keys if key in envelope).encode()


def check_aws_url(url: str, suffix: str = "") -> None:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not _SNS_HOST.match(parsed.hostname or "") or (
            suffix and not parsed.path.endswith(suffix)):
        raise InvalidNotification("the URL is not an https SNS URL")


def _https_get(url: str) -> bytes:
    check_aws_url(url)
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - https, SNS host
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
        text = text[text.rindex("<") + 1:-1]
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
