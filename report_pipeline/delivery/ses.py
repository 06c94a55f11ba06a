"""AWS SES v2 mailer: raw MIME through SendEmail, paced to the account's MaxSendRate.

SES counts every recipient against `MaxSendRate` (GetSendQuota); going faster
only earns throttling errors. A token bucket (delivery/rate.py; shared by every
sender when a `rate_factory` gives one) paces the sends, and a throttled
request (which SES did not accept, so retrying cannot duplicate) is retried
with exponential backoff and jitter. botocore's own retries are switched off:
it would also retry timeouts of requests SES may have accepted.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from report_pipeline.delivery.mailers import BatchMailer, Mailer, MailerConfig, SendError
from report_pipeline.delivery.rate import SendRate, SendRateFactory, TokenBucket
from report_pipeline.health import Health, healthy, scrub, unhealthy
from report_pipeline.settings import SesSettings

if TYPE_CHECKING:
    from report_pipeline.settings import Settings

__all__ = ["SesMailer", "TokenBucket"]

THROTTLING = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException"})
# The message itself is unacceptable; sending it again cannot help.
PERMANENT = frozenset({"MessageRejected", "BadRequestException", "InvalidParameterValue"})


@dataclass(frozen=True)
class Throttle:
    """How a throttled SendEmail is retried: exponential backoff with jitter."""

    retries: int = 8
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    sleep: Callable[[float], None] = time.sleep


class SesMailer(BatchMailer):
    """Sends through an SES v2 client; the rate comes from GetSendQuota unless given."""

    def __init__(
        self,
        client: Any,
        quota_client: Any | None,
        settings: SesSettings,
        *,
        throttle: Throttle | None = None,
        rng: random.Random | None = None,
        rate_factory: SendRateFactory | None = None,
    ) -> None:
        if quota_client is None and settings.max_send_rate is None:
            raise ValueError("give a quota client (GetSendQuota) or max_send_rate")
        self.client, self.quota_client = client, quota_client
        self.configuration_set = settings.configuration_set
        self.max_send_rate = settings.max_send_rate
        self.throttle = throttle or Throttle()
        self._rng = rng or random.Random()
        # Several senders share one account's rate: the factory gives the shared
        # bucket (Redis, app database); without one, this process paces alone.
        self.rate_factory = rate_factory
        self.bucket: SendRate | None = None

    @classmethod
    def from_config(
        cls,
        settings: SesSettings,
        *,
        rate_factory: SendRateFactory | None = None,
        **client_kwargs: Any,
    ) -> SesMailer:
        """Clients from the usual AWS credential chain (env, profile, instance role)."""
        import boto3
        from botocore.config import Config

        config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30)
        kwargs = dict(
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            config=config,
            **client_kwargs,
        )
        return cls(
            boto3.client("sesv2", **kwargs),
            boto3.client("ses", **kwargs),
            settings,
            rate_factory=rate_factory,
        )

    def __repr__(self) -> str:
        return f"SesMailer(configuration_set={self.configuration_set!r})"

    def _begin_batch(self) -> None:
        self._ensure_bucket()

    def send_rate(self) -> float:
        """Messages per second allowed: the override, else the account's MaxSendRate."""
        if self.max_send_rate is not None:
            return self.max_send_rate
        try:
            quota = self.quota_client.get_send_quota()
        except Exception as error:
            raise SendError(
                f"SES GetSendQuota failed: {_describe(error)}", permanent=False
            ) from error
        return float(quota["MaxSendRate"])

    def send(self, message: EmailMessage) -> str:
        bucket = self._ensure_bucket()
        recipients = [
            addr
            for _, addr in getaddresses(
                [str(v) for v in message.get_all("To", []) + message.get_all("Cc", [])]
            )
            if addr
        ]
        if not recipients:
            raise SendError("message has no recipient", permanent=True)
        request: dict[str, Any] = {
            "FromEmailAddress": str(message["From"]),
            "Destination": {"ToAddresses": recipients},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        for attempt in range(self.throttle.retries + 1):
            bucket.acquire()
            try:
                return self.client.send_email(**request)["MessageId"]
            except Exception as error:
                code = _error_code(error)
                if code in THROTTLING and attempt < self.throttle.retries:
                    self.throttle.sleep(self._backoff(attempt))
                    continue
                raise SendError(
                    f"SES SendEmail failed: {_describe(error)}", permanent=code in PERMANENT
                ) from error
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.throttle.backoff_max, self.throttle.backoff_base * 2**attempt)
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _ensure_bucket(self) -> SendRate:
        if self.bucket is None:
            rate = self.send_rate()
            self.bucket = self.rate_factory("ses", rate) if self.rate_factory else TokenBucket(rate)
        return self.bucket


def _error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def _describe(error: Exception) -> str:
    code = _error_code(error)
    if code:
        message = error.response.get("Error", {}).get("Message", "")  # type: ignore[attr-defined]
        return f"{code}: {' '.join(str(message).split())}"
    return f"{type(error).__name__}: {error}"


def open_ses_mailer(config: MailerConfig) -> Mailer:
    return SesMailer.from_config(config.ses, rate_factory=config.rate_factory)


# --- the doctor's check (backends.MAILERS) ----------------------------------------------------


def check_ses_mailer(settings: Settings) -> Health:
    """Credentials and region work (the quota answers), and today's quota is not used up."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    service = "mailer (ses)"
    client = boto3.client(
        "ses",
        region_name=settings.ses.region,
        endpoint_url=settings.ses.endpoint_url,
    )
    try:  # the quota answers only with working credentials and region
        quota = client.get_send_quota()
    except (ClientError, BotoCoreError) as error:
        return unhealthy(
            service,
            f"SES: {scrub(str(error), settings)}",
            "check AWS_REGION, REPORT_PIPELINE_SES_ENDPOINT_URL and that the role may"
            " call ses:GetSendQuota and ses:SendRawEmail",
        )
    left = quota.get("Max24HourSend", 0) - quota.get("SentLast24Hours", 0)
    if left < 1:
        return unhealthy(
            service,
            "the SES 24-hour sending quota is used up",
            "wait, or request a higher quota in the SES console",
        )
    return healthy(
        service,
        f"SES reachable, {left:.0f} messages left today, {quota.get('MaxSendRate', 0):.0f}/s",
    )
