"""Link-only delivery: the email carries an expiring link, never the PDF.

HIPAA's "minimum necessary" and "reasonable safeguards": a forwarded or
misaddressed email then holds no patient data, and the link stops working.
Production (S3) links are presigned GET URLs; with the embedded default the
link is the API's `GET /api/reports/{id}/download?token=...`, the token an
HMAC over (report, recipient, expiry) so each recipient's link is their own
and every download is audited under that recipient's address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from report_pipeline.storage.object_store import ObjectStore, S3ObjectStore

MODES = ("attachment", "link")
DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 3600  # also the longest a SigV4 presigned URL may live
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
MIN_SECRET_CHARS = 32
_PURPOSE = b"report-pipeline/download/v1\0"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class LinkSettingError(ValueError):
    """A link-delivery setting that cannot be used (shown as is)."""


class InvalidDownloadToken(ValueError):
    """Forged or malformed; the message never echoes the token."""


class ExpiredDownloadToken(InvalidDownloadToken):
    """Genuine but past its expiry (the API answers 410 Gone)."""


def delivery_mode(object_store_kind: str) -> str:
    """attachment or link; by default link when reports live in S3, attachment otherwise."""
    # settings: REPORT_PIPELINE_DELIVERY_MODE
    raw = (os.environ.get("REPORT_PIPELINE_DELIVERY_MODE") or "").strip().lower()
    if not raw:
        return "link" if object_store_kind == "s3" else "attachment"
    if raw not in MODES:
        raise LinkSettingError(f"REPORT_PIPELINE_DELIVERY_MODE must be attachment or link, got {raw!r}")
    return raw


def download_link_ttl_seconds() -> int:
    """REPORT_PIPELINE_DOWNLOAD_LINK_TTL: seconds, or a number with s, m, h or d (default 7d)."""
    # settings: REPORT_PIPELINE_DOWNLOAD_LINK_TTL
    raw = os.environ.get("REPORT_PIPELINE_DOWNLOAD_LINK_TTL") or ""
    if not raw.strip():
        return DEFAULT_LINK_TTL_SECONDS
    match = _DURATION.match(raw)
    seconds = int(float(match[1]) * _UNIT_SECONDS[match[2]]) if match else 0
    if not 1 <= seconds <= DEFAULT_LINK_TTL_SECONDS:
        raise LinkSettingError("REPORT_PIPELINE_DOWNLOAD_LINK_TTL must be between 1s and 7d"
                               f" (S3 presigned URLs live 7 days at most), got {raw!r}")
    return seconds


def public_url() -> str:
    """Where recipients reach the API (REPORT_PIPELINE_PUBLIC_URL)."""
    # settings: REPORT_PIPELINE_PUBLIC_URL
    url = (os.environ.get("REPORT_PIPELINE_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise LinkSettingError(f"REPORT_PIPELINE_PUBLIC_URL must be an http(s) URL, got {url!r}")
    return url


def download_secret(home: Path) -> str:
    """REPORT_PIPELINE_DOWNLOAD_SECRET, or one generated once into `home` (mode 0600)."""
    # settings: REPORT_PIPELINE_DOWNLOAD_SECRET
    secret = os.environ.get("REPORT_PIPELINE_DOWNLOAD_SECRET")
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise LinkSettingError(f"REPORT_PIPELINE_DOWNLOAD_SECRET needs {MIN_SECRET_CHARS}+ chars")
        return secret
    path = home / "download-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True)
    candidate = secrets.token_urlsafe(48)
    try:  # O_EXCL: of two processes racing, the first one's secret wins
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(candidate)
    return candidate


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, repr=False)
class DownloadSigner:
    secret: str
    ttl_seconds: int = DEFAULT_LINK_TTL_SECONDS

    def __repr__(self) -> str:  # never print the secret
        return f"DownloadSigner(ttl_seconds={self.ttl_seconds})"

    def token_for(self, report_id: int, email: str, now: float | None = None) -> str:
        expires = int(time.time() if now is None else now) + self.ttl_seconds
        body = _b64(json.dumps({"r": report_id, "e": email, "x": expires},
                               separators=(",", ":")).encode())
        return f"{body}.{_b64(self._mac(body))}"

    def verify(self, token: str, report_id: int, now: float | None = None) -> str:
        """The recipient the token was issued to for `report_id`; raises otherwise."""
        body, dot, signature = (token or "").partition(".")
        if not dot or not body or not signature or len(token) > 2000:
            raise InvalidDownloadToken("malformed download token")
        try:
            given = _unb64(signature)
            if not hmac.compare_digest(given, self._mac(body)):
                raise InvalidDownloadToken("download token signature does not match")
            payload = json.loads(_unb64(body))
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
        return hmac.new(self.secret.encode(), _PURPOSE + body.encode("ascii"),
                        hashlib.sha256).digest()


@dataclass(frozen=True)
class DownloadLinks:
    """Each recipient's own expiring API link to one report."""

    base_url: str  # the API's public URL
    signer: DownloadSigner
    report_id: int

    def url_for(self, email: str, now: float | None = None) -> str:
        token = self.signer.token_for(self.report_id, email, now)
        return f"{self.base_url}/api/reports/{self.report_id}/download?{urlencode({'token': token})}"


@dataclass(frozen=True)
class LinkPlan:
    """How one report reaches its recipients (fields of dispatch.ReportToSend)."""

    link_only: bool = False
    download_url: str | None = None
    link_for: Callable[[str], str] | None = None
    expires_at: datetime | None = None


def plan_links(store: ObjectStore, report_id: int, pdf_key: str, pdf_size: int, home: Path,
               max_attachment_bytes: int, oversize_ttl_seconds: int,
               now: datetime | None = None) -> LinkPlan:
    """Link mode: presigned S3 URL or per-recipient API link; attachment mode: the PDF,
    with a presigned link instead when it is too big to attach and S3 can serve it."""
    now = now or datetime.now(timezone.utc)
    s3 = isinstance(store, S3ObjectStore)
    if delivery_mode("s3" if s3 else "local") == "attachment":
        if pdf_size <= max_attachment_bytes or not s3:
            return LinkPlan()
        return LinkPlan(False, presigned_url(store, pdf_key, oversize_ttl_seconds), None,
                        now + timedelta(seconds=oversize_ttl_seconds))
    ttl = download_link_ttl_seconds()
    expires = now + timedelta(seconds=ttl)
    if s3:
        return LinkPlan(True, presigned_url(store, pdf_key, ttl), None, expires)
    links = DownloadLinks(public_url(), DownloadSigner(download_secret(home), ttl), report_id)
    return LinkPlan(True, None, links.url_for, expires)


def presigned_url(store: S3ObjectStore, key: str, ttl_seconds: int) -> str:
    return store.client.generate_presigned_url(
        "get_object", Params={"Bucket": store.bucket, "Key": store._key(key)},
        ExpiresIn=ttl_seconds,
    )
