"""Every setting of the product, read from the environment in this one module.

With no variables set, everything lives under a project-local directory
(``REPORT_PIPELINE_HOME``, default ``./var``) and nothing external is needed.
Production services are switched on by the variables the README lists. A value
that cannot be parsed is a :class:`SettingsError` naming the variable, raised
when the settings are loaded, so a typo never becomes a silent default.

Secrets (Mongo URI, database URL, SMTP password) stay ``EnvVar`` references in
the Dagster resources so they are resolved in the step process; the fields
here that hold secrets are kept out of ``repr``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from report_pipeline import backends
from report_pipeline.storage.catalog_shape import (
    DEFAULT_CUSTOMER_PATTERN,
    compile_customer_pattern,
    parse_field_mapping,
)

T = TypeVar("T")

# A recent Monday: every week from here on is a partition the UI counts as missing
# until it is rendered, so an older default shows years of empty "gaps" (README:
# "Choosing the first week" says how to pick it for an existing catalog).
DEFAULT_FIRST_WEEK = "2026-01-05"
DEFAULT_MAX_FAILED_SHARE = 0.10
DEFAULT_STEP_RETRY_DELAY_SECONDS = 2.0
DEFAULT_REVIEW_CONFIDENCE = 60.0  # OCR confidence (0-100) below which a document needs review
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # the local `report-pipeline api`
DEFAULT_MAIL_FROM_NAME = "Weekly document report"
DEFAULT_DEADLINE_HOURS = (
    12.0  # after the week closes (Monday 00:00 UTC); the schedule runs at 06:00
)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
SECRET_VARIABLES = (
    "REPORT_PIPELINE_MONGO_URI",
    "REPORT_PIPELINE_DATABASE_URL",
    "REPORT_PIPELINE_SMTP_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "REPORT_PIPELINE_CELERY_BROKER",
    "REPORT_PIPELINE_JWT_SECRET",
    "REPORT_PIPELINE_UNSUBSCRIBE_SECRET",
    "REPORT_PIPELINE_METRICS_TOKEN",
    "REPORT_PIPELINE_DOWNLOAD_SECRET",
    "REPORT_PIPELINE_API_CURSOR_SECRET",
    "REPORT_PIPELINE_API_RATE_LIMIT_STORAGE",
    "REPORT_PIPELINE_REDIS_URL",
)


class SettingsError(ValueError):
    """A variable whose value cannot be used; the message names it."""


def parse_flag(text: str) -> bool:
    """The one boolean parser: 1/true/yes/on and 0/false/no/off, any case."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected one of 1, true, yes, on, 0, false, no, off")


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("expected a whole number") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError("expected a number") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _domains(text: str) -> tuple[str, ...]:
    domains = tuple(name.lower().lstrip(".") for name in _names(text))
    if any(not name or "@" in name or " " in name for name in domains):
        raise ValueError("a comma-separated list of domain names, e.g. internal,test")
    return domains


class _Reader:
    """Reads typed values from one environment mapping; empty means unset."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return value if value not in (None, "") else None

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            return parse(raw.strip())
        except ValueError as error:
            detail = str(error) or parse.__name__
            raise SettingsError(f"{name}={raw!r} is not valid: {detail}") from None

    def text(self, name: str, default: str | None = None) -> str | None:
        return self.get(name, str, default)

    def integer(self, name: str, default: int, minimum: int | None = None) -> int:
        value = self.get(name, _whole_number, default)
        if minimum is not None and value < minimum:
            raise SettingsError(
                f"{name}={self.raw(name)!r} is not valid: must be at least {minimum}"
            )
        return value

    def number(self, name: str, default: float | None) -> float | None:
        return self.get(name, _number, default)

    def flag(self, name: str, default: bool | None) -> bool | None:
        return self.get(name, parse_flag, default)

    def choice(self, name: str, default: str, options: tuple[str, ...]) -> str:
        value = self.get(name, str, default)
        if value not in options:
            listed = f"{', '.join(options[:-1])} or {options[-1]}"
            raise SettingsError(f"{name}={value!r} is not valid: use {listed}")
        return value

    def names(self, name: str) -> tuple[str, ...]:
        return self.get(name, _names, ())


@dataclass(frozen=True)
class S3Settings:
    bucket: str = ""
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    max_attempts: int = 5
    retry_mode: str = "standard"
    kms_key_id: str | None = None


@dataclass(frozen=True)
class MongoSettings:
    uri: str | None = field(default=None, repr=False)  # secret: credentials inside
    database: str = "documents"
    collection: str = "documents"
    tls: bool | None = None
    tls_ca_file: str | None = None
    retry_writes: bool = False
    read_preference: str = "primaryPreferred"
    timeout_ms: int = 10000
    # REPORT_PIPELINE_CATALOG_FIELDS as given (validated): ours=theirs,...
    fields: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    security: str = "starttls"
    username: str | None = None
    # Resources pass the password on as an EnvVar reference; only the doctor reads it.
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None  # a private CA, trusted in addition to the system's
    max_rate: float | None = None  # messages per second for all senders together; None: no limit
    timeout_seconds: float = 30.0  # per connect and per reply; a slow relay may need more


@dataclass(frozen=True)
class TextractSettings:
    """REPORT_PIPELINE_OCR_ENGINE=textract: where to call and how often to retry."""

    region: str = "us-east-1"
    endpoint_url: str | None = None
    max_attempts: int = 5


@dataclass(frozen=True)
class SesSettings:
    region: str | None = None
    endpoint_url: str | None = None
    configuration_set: str | None = None
    max_send_rate: float | None = None
    sns_topic_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryEnv:
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 1800.0
    batch_size: int = 20
    lease_seconds: float = 120.0
    wait_for_retries: bool = True
    max_attachment_bytes: int = 7 * 1024 * 1024
    email_link_ttl_seconds: int = 7 * 24 * 3600  # the longest a SigV4 presigned URL can live
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    unsubscribe_secret: str | None = field(default=None, repr=False)
    unsubscribe_previous_secrets: tuple[str, ...] = field(default=(), repr=False)
    unsubscribe_token_days: float = 90.0
    # Where the embedded default keeps a generated secret when none is set (mode 0600).
    unsubscribe_secret_file: Path | None = None
    # Special-use domains (RFC 6761: test, local, internal, ...) accepted in
    # subscriber addresses, for internal deployments; lowercased, no leading dot.
    allow_special_use_domains: tuple[str, ...] = ()
    # Who sends: the email run itself (`in-process`) or `report-pipeline deliveries
    # work` processes (`workers`), the email run then waiting for them to drain.
    senders: str = "in-process"
    # The email run gives up when no worker settled any of its rows for this long.
    workers_idle_timeout_seconds: float = 600.0


@dataclass(frozen=True)
class JwtEnv:
    """How bearer tokens are verified: a shared secret (HS256) or a public key (RS256)."""

    algorithm: str = "HS256"
    secret: str | None = field(default=None, repr=False)
    public_key: str | None = None
    public_key_file: str | None = None
    issuer: str | None = None
    audience: str | None = None


@dataclass(frozen=True)
class ApiEnv:
    jwt: JwtEnv = JwtEnv()
    dagster_graphql_url: str | None = None
    dagster_location: str | None = None
    download_url_ttl_seconds: int = 300
    # GET /metrics: a bearer token, or unauthenticated on a port of its own; neither = refused.
    metrics_token: str | None = field(default=None, repr=False)
    metrics_port: int | None = None
    # Hardening of a public API: body limit before auth, signed cursors, proxies, docs, throttling.
    max_body_bytes: int = 1024 * 1024
    cursor_secret: str | None = field(default=None, repr=False)
    trusted_proxies: tuple[str, ...] = ()
    docs: bool = False  # Swagger UI / ReDoc pages (they load scripts from a CDN)
    rate_limit: str = "20/minute"
    rate_limit_storage: str | None = field(default=None, repr=False)  # e.g. redis://host:6379/0


@dataclass(frozen=True)
class PatientDataEnv:
    """Retention and link-only delivery (README "Patient data")."""

    retention_days: int = 400
    delivery_mode: str | None = None  # None: link when the object store is S3, else attachment
    download_link_ttl_seconds: int = 7 * 24 * 3600  # also the most a presigned URL may live
    public_url: str = "http://127.0.0.1:8000"  # where recipients reach the API
    download_secret: str | None = field(default=None, repr=False)
    # (customer, mode) pairs overriding delivery_mode for that customer's scope.
    delivery_mode_by_customer: tuple[tuple[str, str], ...] = ()

    def delivery_mode_for(self, customer: str | None) -> str | None:
        """The mode for one scope (None: the `all` scope); None means the default."""
        return dict(self.delivery_mode_by_customer).get(customer or "", self.delivery_mode)


_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _link_ttl(text: str) -> int:
    """Seconds, or a number with s, m, h or d; at most 7 days (SigV4 presigned URLs)."""
    number, unit = (text[:-1], text[-1]) if text[-1:] in "smhd" else (text, "")
    seconds = int(_number(number) * _DURATION_UNITS[unit])
    if not 1 <= seconds <= 7 * 86400:
        raise ValueError("use 1s to 7d (S3 presigned URLs live 7 days at most)")
    return seconds


def _long_secret(text: str) -> str:
    if len(text) < 32:
        raise ValueError("use at least 32 characters")
    return text


def _modes_by_customer(text: str) -> tuple[tuple[str, str], ...]:
    """`acme=link,globex=attachment`: one delivery mode per customer scope."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        customer, _, mode = (piece.strip() for piece in item.partition("="))
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", customer) or mode not in (
            "attachment",
            "link",
        ):
            raise ValueError(f"{item!r}: use CUSTOMER=attachment|link, comma-separated")
        pairs.append((customer, mode))
    return tuple(pairs)


def _patient_data(read: _Reader, public_url: str) -> PatientDataEnv:
    defaults = PatientDataEnv()
    mode = read.raw("REPORT_PIPELINE_DELIVERY_MODE")
    return PatientDataEnv(
        retention_days=read.integer(
            "REPORT_PIPELINE_RETENTION_DAYS", defaults.retention_days, minimum=1
        ),
        delivery_mode=read.choice(
            "REPORT_PIPELINE_DELIVERY_MODE", "attachment", ("attachment", "link")
        )
        if mode
        else None,
        download_link_ttl_seconds=read.get(
            "REPORT_PIPELINE_DOWNLOAD_LINK_TTL", _link_ttl, defaults.download_link_ttl_seconds
        ),
        public_url=public_url,
        download_secret=read.get("REPORT_PIPELINE_DOWNLOAD_SECRET", _long_secret, None),
        delivery_mode_by_customer=read.get(
            "REPORT_PIPELINE_DELIVERY_MODE_BY_CUSTOMER", _modes_by_customer, ()
        ),
    )


@dataclass(frozen=True)
class Settings:
    home: Path
    object_store: str
    catalog: str
    database_url: str = field(repr=False)
    database_is_external: bool
    mailer: str
    first_week: date
    batch_size: int
    schedule_timezone: str
    mail_from: str
    dagster_home: Path
    ocr_engine: str = "auto"
    max_pages: int = 500  # pages of one PDF above which it is a dead letter
    ocr_languages: str = "eng"  # tesseract languages when a record names none
    # A taxonomy file of document types replacing the packaged default; None: the default.
    document_types: str | None = None
    # The learned type model decides where its probability reaches this (classify/model.py).
    type_model_threshold: float = 0.8
    executor: str = "multiprocess"
    step_concurrency: int = 0
    # First wait before a failed step is retried (then doubled, three retries in all).
    step_retry_delay_seconds: float = DEFAULT_STEP_RETRY_DELAY_SECONDS
    celery_broker: str | None = field(default=None, repr=False)
    celery_backend: str | None = field(default=None, repr=False)
    # Shared state of every sender (the send-rate bucket); None: the app database.
    redis_url: str | None = field(default=None, repr=False)
    max_failed_share: float = DEFAULT_MAX_FAILED_SHARE
    mail_empty_weeks: bool = False
    operator_emails: tuple[str, ...] = ()
    ui_url: str = "http://127.0.0.1:3000"
    deadline_hours: float = DEFAULT_DEADLINE_HOURS
    schedule_enabled: bool = True  # the weekly schedule starts RUNNING unless turned off
    read_ahead_enabled: bool = True  # documents are read during the week, not on Monday
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE
    public_url: str = DEFAULT_PUBLIC_URL  # where recipients reach the API (unsubscribe links)
    public_url_is_set: bool = False
    mail_from_name: str = DEFAULT_MAIL_FROM_NAME
    max_document_bytes: int = 200 * 1024 * 1024
    # Where the customer sits in an object key (a regex with a group `customer`).
    customer_pattern: str = DEFAULT_CUSTOMER_PATTERN
    # Values of secret variables by name, so messages can be scrubbed of them.
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    s3: S3Settings = S3Settings()
    mongo: MongoSettings = MongoSettings()
    smtp: SmtpSettings = SmtpSettings()
    ses: SesSettings = SesSettings()
    textract: TextractSettings = TextractSettings()
    delivery: DeliveryEnv = DeliveryEnv()
    api: ApiEnv = ApiEnv()
    patient_data: PatientDataEnv = PatientDataEnv()

    @property
    def objects_dir(self) -> Path:
        return self.home / "objects"

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"


def _taxonomy_file(path: str) -> str:
    from report_pipeline.classify.taxonomy import load_taxonomy

    load_taxonomy(path)  # TaxonomyError (a ValueError) names the file and the problem
    return path


def _field_mapping(text: str) -> str:
    parse_field_mapping(text)  # ValueError names the bad part
    return text


def _customer_pattern(text: str) -> str:
    compile_customer_pattern(text)
    return text


def _in_range(parse, low, high, message: str, *, above_low: bool = False):
    """A parser that also checks its value is in [low, high] (or (low, high])."""

    def check(text: str):
        value = parse(text)
        if not ((low < value) if above_low else (low <= value)) or not value <= high:
            raise ValueError(message)
        return value

    return check


_share = _in_range(_number, 0, 1, "use a fraction from 0 to 1")
_port = _in_range(int, 1, 65535, "use a TCP port from 1 to 65535")


def _http_url(text: str) -> str:
    if not text.startswith(("https://", "http://")) or any(c.isspace() for c in text):
        raise ValueError("use an http(s) URL such as https://reports.example.com")
    return text.rstrip("/")


_probability = _in_range(_number, 0, 1, "use a probability above 0, at most 1", above_low=True)
_confidence = _in_range(float, 0, 100, "use an OCR confidence from 0 to 100")
_retry_delay = _in_range(_number, 0, 600, "use a number of seconds from 0 to 600")


def _networks(text: str) -> tuple[str, ...]:
    """Comma-separated addresses or CIDR networks, each checked."""
    import ipaddress

    names = _names(text)
    for name in names:
        ipaddress.ip_network(name, strict=False)  # ValueError names the bad entry
    return names


def _rate(text: str) -> str:
    """`N/second|minute|hour` (the limiter's syntax), checked here so a typo names the variable."""
    count, _, period = text.partition("/")
    if (
        not count.strip().isdigit()
        or int(count) < 1
        or period.strip() not in ("second", "minute", "hour")
    ):
        raise ValueError("use N/second, N/minute or N/hour, e.g. 20/minute")
    return f"{int(count)}/{period.strip()}"


def _positive(text: str) -> float:
    value = _number(text)
    if not value > 0:
        raise ValueError("use a number above 0")
    return value


def _redis_url(text: str) -> str:
    if not text.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("use a redis://, rediss:// or unix:// URL")
    return text


def _s3(read: _Reader, region: str | None) -> S3Settings:
    return S3Settings(
        bucket=read.text("REPORT_PIPELINE_S3_BUCKET", ""),
        prefix=read.text("REPORT_PIPELINE_S3_PREFIX", ""),
        endpoint_url=read.text("REPORT_PIPELINE_S3_ENDPOINT_URL"),
        region=region,
        max_attempts=read.integer("REPORT_PIPELINE_S3_MAX_ATTEMPTS", 5, minimum=1),
        retry_mode=read.choice(
            "REPORT_PIPELINE_S3_RETRY_MODE", "standard", ("standard", "adaptive", "legacy")
        ),
        kms_key_id=read.text("REPORT_PIPELINE_S3_KMS_KEY_ID"),
    )


def _mongo(read: _Reader) -> MongoSettings:
    return MongoSettings(
        uri=read.text("REPORT_PIPELINE_MONGO_URI"),
        database=read.text("REPORT_PIPELINE_MONGO_DATABASE", "documents"),
        collection=read.text("REPORT_PIPELINE_MONGO_COLLECTION", "documents"),
        tls=read.flag("REPORT_PIPELINE_MONGO_TLS", None),
        tls_ca_file=read.text("REPORT_PIPELINE_MONGO_TLS_CA_FILE"),
        retry_writes=bool(read.flag("REPORT_PIPELINE_MONGO_RETRY_WRITES", False)),
        read_preference=read.text("REPORT_PIPELINE_MONGO_READ_PREFERENCE", "primaryPreferred"),
        timeout_ms=read.integer("REPORT_PIPELINE_MONGO_TIMEOUT_MS", 10000, minimum=1),
        fields=read.get("REPORT_PIPELINE_CATALOG_FIELDS", _field_mapping, ""),
    )


def _smtp(read: _Reader) -> SmtpSettings:
    return SmtpSettings(
        host=read.text("REPORT_PIPELINE_SMTP_HOST", "localhost"),
        port=read.integer("REPORT_PIPELINE_SMTP_PORT", 25, minimum=1),
        security=read.choice(
            "REPORT_PIPELINE_SMTP_SECURITY", "starttls", ("starttls", "ssl", "none")
        ),
        username=read.text("REPORT_PIPELINE_SMTP_USERNAME"),
        password=read.text("REPORT_PIPELINE_SMTP_PASSWORD"),
        ca_file=read.text("REPORT_PIPELINE_SMTP_CA_FILE"),
        max_rate=read.get("REPORT_PIPELINE_SMTP_MAX_RATE", _positive, None),
        timeout_seconds=read.get("REPORT_PIPELINE_SMTP_TIMEOUT_SECONDS", _positive, 30.0),
    )


def _ses(read: _Reader, region: str | None) -> SesSettings:
    return SesSettings(
        region=region,
        endpoint_url=read.text("REPORT_PIPELINE_SES_ENDPOINT_URL"),
        configuration_set=read.text("REPORT_PIPELINE_SES_CONFIGURATION_SET"),
        max_send_rate=read.get("REPORT_PIPELINE_SES_MAX_SEND_RATE", _positive, None),
        sns_topic_arns=read.names("REPORT_PIPELINE_SES_SNS_TOPIC_ARNS"),
    )


def _delivery(read: _Reader, public_url: str, home: Path) -> DeliveryEnv:
    defaults = DeliveryEnv()
    return DeliveryEnv(
        max_attempts=read.integer("REPORT_PIPELINE_DELIVERY_MAX_ATTEMPTS", 5, minimum=1),
        retry_base_seconds=read.number("REPORT_PIPELINE_DELIVERY_RETRY_BASE_SECONDS", 30.0),
        retry_max_seconds=read.number("REPORT_PIPELINE_DELIVERY_RETRY_MAX_SECONDS", 1800.0),
        batch_size=read.integer("REPORT_PIPELINE_DELIVERY_BATCH_SIZE", 20, minimum=1),
        lease_seconds=read.number("REPORT_PIPELINE_DELIVERY_LEASE_SECONDS", 120.0),
        wait_for_retries=bool(read.flag("REPORT_PIPELINE_DELIVERY_WAIT_FOR_RETRIES", True)),
        max_attachment_bytes=read.integer(
            "REPORT_PIPELINE_MAX_ATTACHMENT_BYTES", defaults.max_attachment_bytes, minimum=0
        ),
        email_link_ttl_seconds=read.integer(
            "REPORT_PIPELINE_EMAIL_LINK_TTL", defaults.email_link_ttl_seconds, minimum=1
        ),
        # One-click unsubscribe is on by default: the link goes to the public API.
        unsubscribe_url=read.text("REPORT_PIPELINE_UNSUBSCRIBE_URL") or f"{public_url}/unsubscribe",
        unsubscribe_mailto=read.text("REPORT_PIPELINE_UNSUBSCRIBE_MAILTO"),
        unsubscribe_secret=read.text("REPORT_PIPELINE_UNSUBSCRIBE_SECRET"),
        unsubscribe_previous_secrets=read.names("REPORT_PIPELINE_UNSUBSCRIBE_PREVIOUS_SECRETS"),
        unsubscribe_token_days=read.number("REPORT_PIPELINE_UNSUBSCRIBE_TOKEN_DAYS", 90.0),
        unsubscribe_secret_file=home / "unsubscribe.secret",
        allow_special_use_domains=read.get(
            "REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS", _domains, ()
        ),
        senders=read.choice("REPORT_PIPELINE_SENDERS", "in-process", ("in-process", "workers")),
        workers_idle_timeout_seconds=read.get(
            "REPORT_PIPELINE_SENDERS_IDLE_TIMEOUT", _positive, defaults.workers_idle_timeout_seconds
        ),
    )


def _api(read: _Reader) -> ApiEnv:
    jwt = JwtEnv(
        algorithm=read.text("REPORT_PIPELINE_JWT_ALGORITHM", "HS256").upper(),
        secret=read.text("REPORT_PIPELINE_JWT_SECRET"),
        public_key=read.text("REPORT_PIPELINE_JWT_PUBLIC_KEY"),
        public_key_file=read.text("REPORT_PIPELINE_JWT_PUBLIC_KEY_FILE"),
        issuer=read.text("REPORT_PIPELINE_JWT_ISSUER"),
        audience=read.text("REPORT_PIPELINE_JWT_AUDIENCE"),
    )
    return ApiEnv(
        jwt=jwt,
        dagster_graphql_url=read.text("REPORT_PIPELINE_DAGSTER_GRAPHQL_URL"),
        dagster_location=read.text("REPORT_PIPELINE_DAGSTER_LOCATION"),
        download_url_ttl_seconds=read.integer("REPORT_PIPELINE_DOWNLOAD_URL_TTL", 300, minimum=1),
        metrics_token=read.text("REPORT_PIPELINE_METRICS_TOKEN"),
        metrics_port=read.get("REPORT_PIPELINE_METRICS_PORT", _port, None),
        max_body_bytes=read.integer(
            "REPORT_PIPELINE_API_MAX_BODY_BYTES", 1024 * 1024, minimum=1024
        ),
        cursor_secret=read.text("REPORT_PIPELINE_API_CURSOR_SECRET"),
        trusted_proxies=read.get("REPORT_PIPELINE_API_TRUSTED_PROXIES", _networks, ()),
        docs=bool(read.flag("REPORT_PIPELINE_API_DOCS", False)),
        rate_limit=read.get("REPORT_PIPELINE_API_RATE_LIMIT", _rate, "20/minute"),
        rate_limit_storage=read.text("REPORT_PIPELINE_API_RATE_LIMIT_STORAGE"),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """All settings from ``env`` (default: this process's environment)."""
    read = _Reader(os.environ if env is None else env)
    home = Path(read.text("REPORT_PIPELINE_HOME", "var")).resolve()
    external_db = read.text("REPORT_PIPELINE_DATABASE_URL")
    region = read.text("AWS_REGION") or read.text("AWS_DEFAULT_REGION")
    broker = read.text("REPORT_PIPELINE_CELERY_BROKER")
    public_url = read.get("REPORT_PIPELINE_PUBLIC_URL", _http_url, DEFAULT_PUBLIC_URL)
    return Settings(
        home=home,
        object_store=read.choice(
            "REPORT_PIPELINE_OBJECT_STORE", "local", tuple(backends.OBJECT_STORES)
        ),
        catalog=read.choice("REPORT_PIPELINE_CATALOG", "embedded", tuple(backends.CATALOGS)),
        database_url=external_db or f"sqlite:///{home / 'app.sqlite3'}",
        database_is_external=external_db is not None,
        mailer=read.choice("REPORT_PIPELINE_MAILER", "outbox", tuple(backends.MAILERS)),
        first_week=read.get(
            "REPORT_PIPELINE_FIRST_WEEK", _day, date.fromisoformat(DEFAULT_FIRST_WEEK)
        ),
        batch_size=read.integer("REPORT_PIPELINE_BATCH_SIZE", 16, minimum=1),
        schedule_timezone=read.text("REPORT_PIPELINE_SCHEDULE_TIMEZONE", "UTC"),
        mail_from=read.text("REPORT_PIPELINE_MAIL_FROM", "reports@example.com"),
        dagster_home=Path(read.text("DAGSTER_HOME") or home / "dagster"),
        ocr_engine=read.choice("REPORT_PIPELINE_OCR_ENGINE", "auto", tuple(backends.OCR_ENGINES)),
        max_pages=read.integer("REPORT_PIPELINE_MAX_PAGES", 500, minimum=1),
        ocr_languages=read.text("REPORT_PIPELINE_OCR_LANGUAGES", "eng").strip() or "eng",
        document_types=read.get("REPORT_PIPELINE_DOCUMENT_TYPES", _taxonomy_file, None),
        type_model_threshold=read.get("REPORT_PIPELINE_TYPE_MODEL_THRESHOLD", _probability, 0.8),
        executor=read.choice(
            "REPORT_PIPELINE_EXECUTOR", "multiprocess", ("multiprocess", "celery", "k8s")
        ),
        step_concurrency=read.integer("REPORT_PIPELINE_STEP_CONCURRENCY", 0, minimum=0),
        step_retry_delay_seconds=read.get(
            "REPORT_PIPELINE_STEP_RETRY_DELAY_SECONDS",
            _retry_delay,
            DEFAULT_STEP_RETRY_DELAY_SECONDS,
        ),
        celery_broker=broker,
        celery_backend=read.text("REPORT_PIPELINE_CELERY_BACKEND") or broker,
        redis_url=read.get("REPORT_PIPELINE_REDIS_URL", _redis_url, None),
        max_failed_share=read.get(
            "REPORT_PIPELINE_MAX_FAILED_SHARE", _share, DEFAULT_MAX_FAILED_SHARE
        ),
        mail_empty_weeks=bool(read.flag("REPORT_PIPELINE_MAIL_EMPTY_WEEKS", False)),
        operator_emails=read.names("REPORT_PIPELINE_OPERATOR_EMAILS"),
        ui_url=read.text("REPORT_PIPELINE_UI_URL", "http://127.0.0.1:3000").rstrip("/"),
        deadline_hours=read.number("REPORT_PIPELINE_DEADLINE_HOURS", DEFAULT_DEADLINE_HOURS),
        schedule_enabled=bool(read.flag("REPORT_PIPELINE_SCHEDULE_ENABLED", True)),
        read_ahead_enabled=bool(read.flag("REPORT_PIPELINE_READ_AHEAD", True)),
        review_confidence=read.get(
            "REPORT_PIPELINE_REVIEW_CONFIDENCE", _confidence, DEFAULT_REVIEW_CONFIDENCE
        ),
        max_document_bytes=read.integer(
            "REPORT_PIPELINE_MAX_DOCUMENT_BYTES", 200 * 1024 * 1024, minimum=1
        ),
        customer_pattern=read.get(
            "REPORT_PIPELINE_CUSTOMER_PATTERN", _customer_pattern, DEFAULT_CUSTOMER_PATTERN
        ),
        s3=_s3(read, region),
        mongo=_mongo(read),
        smtp=_smtp(read),
        ses=_ses(read, region),
        textract=TextractSettings(
            region=read.text("REPORT_PIPELINE_TEXTRACT_REGION") or region or "us-east-1",
            endpoint_url=read.text("REPORT_PIPELINE_TEXTRACT_ENDPOINT_URL"),
            max_attempts=read.integer("REPORT_PIPELINE_TEXTRACT_MAX_ATTEMPTS", 5, minimum=1),
        ),
        public_url=public_url,
        public_url_is_set=read.raw("REPORT_PIPELINE_PUBLIC_URL") is not None,
        mail_from_name=" ".join(
            read.text("REPORT_PIPELINE_MAIL_FROM_NAME", DEFAULT_MAIL_FROM_NAME).split()
        ),
        delivery=_delivery(read, public_url, home),
        api=_api(read),
        patient_data=_patient_data(read, public_url),
        secrets={name: value for name in SECRET_VARIABLES if (value := read.raw(name))},
    )


# --- the process environment ------------------------------------------------
# Child processes (tesseract, Dagster step processes, the API's run launcher)
# inherit this process's environment; these are the only writes to it.


def set_process_variable(name: str, value: str, *, overwrite: bool = True) -> None:
    if overwrite:
        os.environ[name] = value
    else:
        os.environ.setdefault(name, value)


def process_environment(drop: frozenset[str] = frozenset()) -> dict[str, str]:
    """A copy of this process's environment for a child process, less ``drop``."""
    return {name: value for name, value in os.environ.items() if name not in drop}


def ocr_languages() -> str:
    """REPORT_PIPELINE_OCR_LANGUAGES alone: asked per document, so no full settings parse."""
    return (os.environ.get("REPORT_PIPELINE_OCR_LANGUAGES") or "").strip() or "eng"


def tessdata_prefix() -> str | None:
    return os.environ.get("TESSDATA_PREFIX") or None
