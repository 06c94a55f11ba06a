"""Signed per-recipient unsubscribe tokens (HMAC-SHA256, with an expiry).

A token names one address and proves we issued it; whoever holds the email
may unsubscribe that address without logging in (RFC 8058 one-click), and
nobody can forge a token for another address without the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

MIN_SECRET_CHARS = 32
DEFAULT_TTL_SECONDS = 90 * 24 * 3600  # links in old emails keep working for a quarter
_PURPOSE = b"report-pipeline/unsubscribe/v1\0"


class InvalidToken(ValueError):
    """Forged, malformed or expired; the message never echoes the token."""


def b64url_encode(data: bytes) -> str:
    """URL-safe base64 without padding: a token stays one clean query-string value."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The inverse of b64url_encode (the padding is put back)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, repr=False)
class UnsubscribeSigner:
    """Signs with `secret`; also accepts tokens signed with `previous_secrets` (rotation)."""

    secret: str
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    previous_secrets: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for key in (self.secret, *self.previous_secrets):
            if len(key) < MIN_SECRET_CHARS:
                raise ValueError(f"unsubscribe secret must be at least {MIN_SECRET_CHARS} chars")

    def __repr__(self) -> str:  # never print the secret
        return f"UnsubscribeSigner(ttl_seconds={self.ttl_seconds})"

    def token_for(self, email: str, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        payload = json.dumps(
            {"e": email, "x": issued + self.ttl_seconds}, separators=(",", ":")
        ).encode()
        body = b64url_encode(payload)
        return f"{body}.{b64url_encode(self._mac(self.secret, body))}"

    def verify(self, token: str, now: float | None = None) -> str:
        """The address the token was issued for; raises `InvalidToken` otherwise."""
        body, dot, signature = (token or "").partition(".")
        if not dot or not body or not signature or len(token) > 2000:
            raise InvalidToken("malformed unsubscribe token")
        try:
            given = b64url_decode(signature)
        except ValueError:
            raise InvalidToken("malformed unsubscribe token") from None
        if not any(
            hmac.compare_digest(given, self._mac(key, body))
            for key in (self.secret, *self.previous_secrets)
        ):
            raise InvalidToken("unsubscribe token signature does not match")
        try:
            payload = json.loads(b64url_decode(body))
            email, expires = str(payload["e"]), int(payload["x"])
        except (ValueError, KeyError, TypeError):
            raise InvalidToken("malformed unsubscribe token") from None
        if (time.time() if now is None else now) >= expires:
            raise InvalidToken("unsubscribe token has expired")
        return email

    @staticmethod
    def _mac(key: str, body: str) -> bytes:
        return hmac.new(key.encode(), _PURPOSE + body.encode("ascii"), hashlib.sha256).digest()


@dataclass(frozen=True)
class UnsubscribeLinks:
    """The https one-click link (and optional mailto) for each recipient."""

    base_url: str  # e.g. https://reports.example.com/unsubscribe
    signer: UnsubscribeSigner
    mailto: str | None = None  # e.g. unsubscribe@example.com

    def __post_init__(self) -> None:
        # http is accepted only for this machine: the embedded default links to
        # the local API, which nobody else can reach anyway.
        if not (self.base_url.startswith("https://") or is_loopback_url(self.base_url)):
            raise ValueError("the unsubscribe URL must be https (RFC 8058)")

    def url_for(self, email: str, now: float | None = None) -> str:
        separator = "&" if "?" in self.base_url else "?"
        return (
            f"{self.base_url}{separator}{urlencode({'token': self.signer.token_for(email, now)})}"
        )

    def mailto_for(self, email: str, now: float | None = None) -> str | None:
        if not self.mailto:
            return None
        subject = quote(f"unsubscribe {self.signer.token_for(email, now)}")
        return f"mailto:{self.mailto}?subject={subject}"


def is_loopback_url(url: str) -> bool:
    """An http(s) URL whose host is this machine (localhost, 127.0.0.0/8, ::1)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def load_or_create_secret(path: Path) -> str:
    """The secret stored at ``path``, generated (mode 0600) on first use.

    Every process of one installation (the email run, the API) reads the same
    file, so a link mailed by one is accepted by the other.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _publish_new_secret(path)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(
            f"{path} holds no usable secret; delete it to "
            "generate a new one (links already mailed stop working)"
        )
    return secret


def _publish_new_secret(path: Path) -> None:
    """Write a fresh secret beside ``path`` and link it into place.

    The file appears complete or not at all: several first starts at once
    (sender workers, the API) each write their own candidate, exactly one
    link wins, and nobody reads a file that is still being written.
    """
    fd, candidate = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(candidate, path)
    except FileExistsError:
        pass  # another process published first; its secret is the one
    finally:
        os.unlink(candidate)
