"""Delivery configuration, built from the settings (secrets only from the environment)."""

from __future__ import annotations

from dataclasses import dataclass

from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.tokens import (
    UnsubscribeLinks,
    UnsubscribeSigner,
    load_or_create_secret,
)
from report_pipeline.settings import DeliveryEnv, SettingsError

DEFAULT_MAX_ATTACHMENT_BYTES = DeliveryEnv.max_attachment_bytes
DEFAULT_LINK_TTL_SECONDS = DeliveryEnv.email_link_ttl_seconds


@dataclass(frozen=True)
class DeliverySettings:
    policy: RetryPolicy = RetryPolicy()
    sender: SenderSettings = SenderSettings()
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    download_link_ttl_seconds: int = DEFAULT_LINK_TTL_SECONDS
    unsubscribe: UnsubscribeLinks | None = None


def unsubscribe_signer(env: DeliveryEnv) -> UnsubscribeSigner | None:
    """The signer of the configured secret, else of the installation's generated one."""
    secret = env.unsubscribe_secret
    if secret is None and env.unsubscribe_secret_file is not None:
        secret = load_or_create_secret(env.unsubscribe_secret_file)
    if secret is None:
        return None
    return UnsubscribeSigner(
        secret, int(env.unsubscribe_token_days * 86400), env.unsubscribe_previous_secrets
    )


def delivery_settings(env: DeliveryEnv) -> DeliverySettings:
    url, signer = env.unsubscribe_url, unsubscribe_signer(env)
    if (url is None) != (signer is None):
        raise SettingsError(
            "REPORT_PIPELINE_UNSUBSCRIBE_URL and REPORT_PIPELINE_UNSUBSCRIBE_SECRET go together"
        )
    return DeliverySettings(
        policy=RetryPolicy(
            max_attempts=env.max_attempts,
            base_delay=env.retry_base_seconds,
            max_delay=env.retry_max_seconds,
        ),
        sender=SenderSettings(
            batch_size=env.batch_size,
            lease_seconds=env.lease_seconds,
            wait_for_retries=env.wait_for_retries,
        ),
        max_attachment_bytes=env.max_attachment_bytes,
        download_link_ttl_seconds=env.email_link_ttl_seconds,
        unsubscribe=UnsubscribeLinks(url, signer, env.unsubscribe_mailto)
        if url and signer
        else None,
    )
