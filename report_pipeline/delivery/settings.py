"""Delivery configuration from the environment (the unsubscribe secret only from there)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.tokens import DEFAULT_TTL_SECONDS, UnsubscribeLinks, UnsubscribeSigner

DEFAULT_MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024
DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 3600  # the longest a SigV4 presigned URL can live


@dataclass(frozen=True)
class DeliverySettings:
    policy: RetryPolicy = RetryPolicy()
    sender: SenderSettings = SenderSettings()
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    download_link_ttl_seconds: int = DEFAULT_LINK_TTL_SECONDS
    unsubscribe: UnsubscribeLinks | None = None


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(f"REPORT_PIPELINE_{name}")
    return value if value not in (None, "") else None


def unsubscribe_signer_from_env(env: Mapping[str, str] | None = None) -> UnsubscribeSigner | None:
    env = os.environ if env is None else env
    secret = _get(env, "UNSUBSCRIBE_SECRET")
    if secret is None:
        return None
    previous = tuple(s for s in (_get(env, "UNSUBSCRIBE_PREVIOUS_SECRETS") or "").split(",") if s)
    days = float(_get(env, "UNSUBSCRIBE_TOKEN_DAYS") or DEFAULT_TTL_SECONDS / 86400)
    return UnsubscribeSigner(secret, int(days * 86400), previous)


def delivery_settings_from_env(env: Mapping[str, str] | None = None) -> DeliverySettings:
    env = os.environ if env is None else env
    url, signer = _get(env, "UNSUBSCRIBE_URL"), unsubscribe_signer_from_env(env)
    if (url is None) != (signer is None):
        raise ValueError("REPORT_PIPELINE_UNSUBSCRIBE_URL and REPORT_PIPELINE_UNSUBSCRIBE_SECRET"
                         " go together")
    number = lambda name, default: float(_get(env, name) or default)  # noqa: E731
    return DeliverySettings(
        policy=RetryPolicy(
            max_attempts=int(number("DELIVERY_MAX_ATTEMPTS", 5)),
            base_delay=number("DELIVERY_RETRY_BASE_SECONDS", 30),
            max_delay=number("DELIVERY_RETRY_MAX_SECONDS", 1800),
        ),
        sender=SenderSettings(
            batch_size=int(number("DELIVERY_BATCH_SIZE", 20)),
            lease_seconds=number("DELIVERY_LEASE_SECONDS", 120),
            wait_for_retries=(_get(env, "DELIVERY_WAIT_FOR_RETRIES") or "true").lower()
            in ("1", "true", "yes"),
        ),
        max_attachment_bytes=int(number("MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)),
        download_link_ttl_seconds=int(number("EMAIL_LINK_TTL", DEFAULT_LINK_TTL_SECONDS)),
        unsubscribe=UnsubscribeLinks(url, signer, _get(env, "UNSUBSCRIBE_MAILTO"))
        if url and signer else None,
    )
