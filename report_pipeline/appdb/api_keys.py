"""API keys for service accounts: created once, shown once, stored as a hash.

A key is ``rpk_<prefix>_<secret>`` with 256 random bits; the prefix finds the
row, the SHA-256 of the whole key checks it. A fast hash is enough here because
the keys are random, not human-chosen passwords that could be guessed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from report_pipeline.appdb.schema import ApiKey
from report_pipeline.appdb.store import AppStore, utcnow

KEY_PREFIX = "rpk"


@dataclass(frozen=True)
class IssuedKey:
    id: int
    name: str
    role: str
    prefix: str
    key: str  # the only time the full key exists outside its owner


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(app: AppStore, role: str, name: str | None = None) -> IssuedKey:
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with app.session() as session, session.begin():
        row = ApiKey(name=name or f"key-{prefix}", role=role, prefix=prefix,
                     key_sha256=_digest(key), created_at=utcnow())
        session.add(row)
        session.flush()
        return IssuedKey(row.id, row.name, role, prefix, key)


def verify_api_key(app: AppStore, key: str) -> ApiKey | None:
    """The active key row matching `key`, or None (unknown, malformed or revoked)."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    with app.session() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.key_sha256, _digest(key)) else None


def revoke_api_key(app: AppStore, id_or_prefix: str) -> ApiKey | None:
    """Revoke by numeric id or prefix; returns the row, None when no such key."""
    match = ApiKey.id == int(id_or_prefix) if id_or_prefix.isdigit() else (
        ApiKey.prefix == id_or_prefix
    )
    with app.session() as session, session.begin():
        session.execute(
            update(ApiKey).where(match, ApiKey.revoked_at.is_(None)).values(revoked_at=utcnow())
        )
        return session.scalar(select(ApiKey).where(match))


def list_api_keys(app: AppStore) -> list[ApiKey]:
    with app.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))
