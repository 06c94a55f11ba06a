"""Link-only delivery: the email carries an expiring link, never the PDF.

HIPAA's "minimum necessary" and "reasonable safeguards": a forwarded or
misaddressed email then holds no patient data, and the link stops working.
Production (S3) links are presigned GET URLs; with the embedded default the
link is the API's `GET /api/reports/{id}/download?token=...`, the token an
HMAC over (report, recipient, expiry) so each recipient's link is their own
and every download is audited under that recipient's address. The settings
(mode, lifetime, public URL, secret) are settings.PatientDataEnv.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from report_pipeline.delivery.tokens import b64url_decode, b64url_encode, load_or_create_secret
from report_pipeline.settings import PatientDataEnv
from report_pipeline.storage.object_store import ObjectStore, S3ObjectStore

DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 3600  # also the longest a SigV4 presigned URL may live
_PURPOSE = b"report-pipeline/download/v1\0"


class LinkError(RuntimeError):
    """A link that cannot be made (S3 refused to sign)."""


class InvalidDownloadToken(ValueError):
    """Forged or malformed; the message never echoes the token."""


class ExpiredDownloadToken(InvalidDownloadToken):
    """Genuine but past its expiry (the API answers 410 Gone)."""


def delivery_mode(configured: str | None, object_store_kind: str) -> str:
    """The configured mode, else link when reports live in S3 and attachment otherwise."""
    if configured:
        return configured
    return "link" if object_store_kind == "s3" else "attachment"


def download_secret(home: Path, configured: str | None = None) -> str:
    """REPORT_PIPELINE_DOWNLOAD_SECRET when set, else one generated once into `home` (0600)."""
    return configured or load_or_create_secret(home / "download-secret")


@dataclass(frozen=True, repr=False)
class DownloadSigner:
    secret: str
    ttl_seconds: int = DEFAULT_LINK_TTL_SECONDS

    def __repr__(self) -> str:  # never print the secret
        return f"DownloadSigner(ttl_seconds={self.ttl_seconds})"

    def token_for(self, report_id: int, email: str, now: float | None = None) -> str:
        expires = int(time.time() if now is None else now) + self.ttl_seconds
        body = b64url_encode(
            json.dumps({"r": report_id, "e": email, "x": expires}, separators=(",", ":")).encode()
        )
        return f"{body}.{b64url_encode(self._mac(body))}"

    def verify(self, token: str, report_id: int, now: float | None = None) -> str:
        """The recipient the token was issued to for `report_id`; raises otherwise."""
        body, dot, signature = (token or "").partition(".")
        if not dot or not body or not signature or len(token) > 2000:
            raise InvalidDownloadToken("malformed download token")
        try:
            given = b64url_decode(signature)
            if not hmac.compare_digest(given, self._mac(body)):
                raise InvalidDownloadToken("download token signature does not match")
            payload = json.loads(b64url_decode(body))
            token_report, email, expires = int(payload["r"]), str(payload["e"]), int(payload["x"])
        except (ValueError, KeyError, TypeError) as error:
            if isinstance(error, InvalidDownloadToken):
                raise
            raise InvalidDownloadToken("malformed download token") from None
        if token_report != report_id:
            raise InvalidDownloadToken("download token is for another report")
        if (time.time() if now is None else now) >= expires:
            raise ExpiredDownloadToken("download link has expired")
        return email

    def _mac(self, body: str) -> bytes:
        return hmac.new(
            self.secret.encode(), _PURPOSE + body.encode("ascii"), hashlib.sha256
        ).digest()


@dataclass(frozen=True)
class DownloadLinks:
    """Each recipient's own expiring API link to one report."""

    base_url: str  # the API's public URL
    signer: DownloadSigner
    report_id: int

    def url_for(self, email: str, now: float | None = None) -> str:
        token = self.signer.token_for(self.report_id, email, now)
        query = urlencode({"token": token})
        return f"{self.base_url}/api/reports/{self.report_id}/download?{query}"


@dataclass(frozen=True)
class LinkPlan:
    """How one report reaches its recipients (fields of dispatch.ReportToSend)."""

    link_only: bool = False
    download_url: str | None = None
    link_for: Callable[[str], str] | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class StoredReport:
    """The rendered report a link points at: its row, its PDF in the object store, its scope."""

    report_id: int
    pdf_key: str
    pdf_size: int
    customer: str | None = None  # None: the all-customers report


def plan_links(
    store: ObjectStore,
    report: StoredReport,
    home: Path,
    max_attachment_bytes: int,
    oversize_ttl_seconds: int,
    patient_data: PatientDataEnv,
    now: datetime | None = None,
) -> LinkPlan:
    """Link mode: presigned S3 URL or per-recipient API link; attachment mode: the PDF,
    with a presigned link instead when it is too big to attach and S3 can serve it.
    The report's customer picks that scope's mode (REPORT_PIPELINE_DELIVERY_MODE_BY_CUSTOMER)."""
    now = now or datetime.now(UTC)
    s3 = isinstance(store, S3ObjectStore)
    configured = patient_data.delivery_mode_for(report.customer)
    if delivery_mode(configured, "s3" if s3 else "local") == "attachment":
        if report.pdf_size <= max_attachment_bytes or not s3:
            return LinkPlan()
        return LinkPlan(
            False,
            store.download_url(report.pdf_key, oversize_ttl_seconds),
            None,
            now + timedelta(seconds=oversize_ttl_seconds),
        )
    ttl = patient_data.download_link_ttl_seconds
    expires = now + timedelta(seconds=ttl)
    if s3:
        url = store.download_url(report.pdf_key, ttl)
        if url is None:
            raise LinkError("S3 could not sign a download link for the report")
        return LinkPlan(True, url, None, expires)
    secret = download_secret(home, patient_data.download_secret)
    links = DownloadLinks(patient_data.public_url, DownloadSigner(secret, ttl), report.report_id)
    return LinkPlan(True, None, links.url_for, expires)
