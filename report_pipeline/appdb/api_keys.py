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

from sqlalchemy import select

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
        row = ApiKey(
            name=name or f"key-{prefix}",
            role=role,
            prefix=prefix,
            key_sha256=_digest(key),
            created_at=utcnow(),
        )
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


class AmbiguousKey(LookupError):
    """The text names one key by id and another by prefix."""


class AlreadyRevoked(LookupError):
    pass


def _matching(
    session,
    id_or_prefix: str | None,
    key_id: int | None,
    prefix: str | None,
) -> list[ApiKey]:
    if key_id is not None:
        return list(session.scalars(select(ApiKey).where(ApiKey.id == key_id)))
    if prefix is not None:
        return list(session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)))
    # Bare text: a prefix may be all digits, so look it up both ways.
    rows = list(session.scalars(select(ApiKey).where(ApiKey.prefix == id_or_prefix)))
    if id_or_prefix is not None and id_or_prefix.isdigit() and len(id_or_prefix) < 19:
        rows += [
            row
            for row in session.scalars(select(ApiKey).where(ApiKey.id == int(id_or_prefix)))
            if row not in rows
        ]
    return rows


def revoke_api_key(
    app: AppStore,
    id_or_prefix: str | None = None,
    *,
    key_id: int | None = None,
    prefix: str | None = None,
) -> ApiKey | None:
    """Revoke one key by id, by prefix, or by text that is unambiguously one of them.

    None when nothing matched; AmbiguousKey when the text is an id of one key and
    the prefix of another; AlreadyRevoked when the key was revoked before.
    """
    with app.session() as session, session.begin():
        rows = _matching(session, id_or_prefix, key_id, prefix)
        if len(rows) > 1:
            raise AmbiguousKey(
                f"{id_or_prefix!r} is the id of key {rows[1].id} and the prefix of"
                f" key {rows[0].id}: use --id or --prefix"
            )
        if not rows:
            return None
        row = rows[0]
        if row.revoked_at is not None:
            raise AlreadyRevoked(
                f"key {row.id} ({row.name}) was already revoked at {row.revoked_at:%Y-%m-%d %H:%M}"
            )
        row.revoked_at = utcnow()
        session.flush()
        return row


def list_api_keys(app: AppStore) -> list[ApiKey]:
    with app.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))
