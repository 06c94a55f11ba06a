"""Open each external system from plain configuration: the one place that picks
the production or the embedded implementation. No Dagster here, so the CLI and
the API open services without importing the orchestrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from pathlib import Path
from typing import Any

from report_pipeline.appdb.store import AppStore, open_app_store
from report_pipeline.delivery.mailers import Mailer, OutboxMailer, SmtpMailer
from report_pipeline.delivery.rate import PacedMailer, SendRate, SendRateFactory
from report_pipeline.settings import Settings
from report_pipeline.storage.catalog import DocumentCatalog, EmbeddedCatalog, MongoCatalog
from report_pipeline.storage.catalog_shape import CatalogShape
from report_pipeline.storage.object_store import LocalObjectStore, ObjectStore, S3ObjectStore


def s3_client(
    endpoint_url: str | None = None,
    region_name: str | None = None,
    max_attempts: int = 5,
    retry_mode: str = "standard",
    connect_timeout: float = 10.0,
    read_timeout: float = 60.0,
) -> Any:
    """A boto3 S3 client from the usual AWS credential chain (env, profile, role).

    ``adaptive`` retries add client-side rate limiting, which helps when many
    step processes hit one bucket prefix at once (S3 answers 503 SlowDown).
    """
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": max_attempts, "mode": retry_mode},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    return boto3.session.Session().client(
        "s3", region_name=region_name, endpoint_url=endpoint_url, config=config
    )


def open_object_store(
    kind: str = "local",
    root: str = "var/objects",
    bucket: str = "",
    prefix: str = "",
    endpoint_url: str | None = None,
    region_name: str | None = None,
    max_attempts: int = 5,
    retry_mode: str = "standard",
    sse: str = "AES256",
    kms_key_id: str | None = None,
) -> ObjectStore:
    if kind == "local":
        return LocalObjectStore(Path(root))
    if kind == "s3":
        if not bucket:
            raise ValueError("REPORT_PIPELINE_S3_BUCKET is not set")
        client = s3_client(endpoint_url, region_name, max_attempts, retry_mode)
        return S3ObjectStore(client, bucket, prefix, sse, kms_key_id)
    raise ValueError(f"unknown object store kind {kind!r} (expected local or s3)")


def mongo_client_options(
    tls: bool | None = None,
    tls_ca_file: str | None = None,
    retry_writes: bool = False,
    read_preference: str = "primaryPreferred",
    server_selection_timeout_ms: int = 10_000,
    connect_timeout_ms: int = 10_000,
    socket_timeout_ms: int = 60_000,
) -> dict[str, Any]:
    """pymongo options; DocumentDB needs TLS with the AWS CA and no retryable writes."""
    options: dict[str, Any] = {
        "tz_aware": True,
        "appname": "report-pipeline",
        "retryWrites": retry_writes,
        "readPreference": read_preference,
        "serverSelectionTimeoutMS": server_selection_timeout_ms,
        "connectTimeoutMS": connect_timeout_ms,
        "socketTimeoutMS": socket_timeout_ms,
    }
    if tls is not None:
        options["tls"] = tls
    if tls_ca_file:
        options["tls"] = True
        options["tlsCAFile"] = tls_ca_file
    return options


def mongo_collection(
    uri: str | None, database: str, collection: str, options: dict[str, Any]
) -> Any:
    import pymongo  # looked up at call time, so tests can patch in mongomock

    if not uri:
        raise ValueError("REPORT_PIPELINE_MONGO_URI is not set")
    return pymongo.MongoClient(uri, **options)[database][collection]


def open_catalog(
    kind: str,
    path: str,
    collection: Any = None,
    fields: str = "",
    customer_pattern: str | None = None,
) -> DocumentCatalog:
    """``collection`` is a callable giving the Mongo collection (opened only for mongodb);
    ``fields`` and ``customer_pattern``: how its records are read (CatalogShape)."""
    shape = CatalogShape.from_settings(fields, customer_pattern)
    if kind == "embedded":
        return EmbeddedCatalog(Path(path), shape)
    if kind == "mongodb":
        return MongoCatalog(collection(), shape)
    raise ValueError(f"unknown catalog kind {kind!r} (expected embedded or mongodb)")


def open_mailer(
    kind: str = "outbox",
    sender: str = "reports@example.com",
    outbox_dir: str = "var/outbox",
    smtp_host: str = "localhost",
    smtp_port: int = 25,
    smtp_security: str = "starttls",
    smtp_username: str | None = None,
    smtp_password: str | None = None,
    smtp_ca_file: str | None = None,
    ses_region: str | None = None,
    ses_endpoint_url: str | None = None,
    ses_configuration_set: str | None = None,
    ses_max_send_rate: float | None = None,
    smtp_max_rate: float | None = None,
    rate_factory: SendRateFactory | None = None,
) -> Mailer:
    """`rate_factory` gives the send-rate bucket every sender shares (`send_rate_factory`)."""
    if kind == "outbox":
        return OutboxMailer(Path(outbox_dir))
    if kind == "smtp":
        smtp = SmtpMailer(
            smtp_host,
            smtp_port,
            security=smtp_security,
            username=smtp_username,
            password=smtp_password,
            ca_file=smtp_ca_file,
        )
        if smtp_max_rate is None:
            return smtp
        return PacedMailer(smtp, (rate_factory or _local_rate)("smtp", smtp_max_rate))
    if kind == "ses":
        from report_pipeline.delivery.ses import SesMailer

        return SesMailer.from_config(
            ses_region,
            endpoint_url=ses_endpoint_url,
            configuration_set=ses_configuration_set,
            max_send_rate=ses_max_send_rate,
            rate_factory=rate_factory,
        )
    raise ValueError(f"unknown mailer kind {kind!r} (expected outbox, smtp or ses)")


def _local_rate(name: str, rate: float) -> SendRate:
    from report_pipeline.delivery.rate import TokenBucket

    return TokenBucket(rate)


def send_rate_factory(redis_url: str | None, app: AppStore | None) -> SendRateFactory:
    """Where every sender's shared bucket lives: Redis when configured, else the app database.

    Buckets are made when a mailer first needs one (SES asks its rate first), so
    a factory that is never called opens nothing.
    """
    if redis_url:
        from report_pipeline.storage.redis_send_rate import RedisSendRate, redis_client

        client = redis_client(redis_url)
        return lambda name, rate: RedisSendRate(client, name, rate)
    if app is not None:
        from report_pipeline.appdb.send_rate import DatabaseSendRate

        return lambda name, rate: DatabaseSendRate(app, name, rate)
    return _local_rate


# --- the same choices from the settings -----------------------------------------------------


def object_store_config(settings: Settings) -> dict[str, Any]:
    s3 = settings.s3
    return dict(
        kind=settings.object_store,
        root=str(settings.objects_dir),
        bucket=s3.bucket,
        prefix=s3.prefix,
        endpoint_url=s3.endpoint_url,
        region_name=s3.region,
        max_attempts=s3.max_attempts,
        retry_mode=s3.retry_mode,
        kms_key_id=s3.kms_key_id,
    )


def catalog_config(settings: Settings) -> dict[str, Any]:
    """Everything but the URI (a secret the caller supplies its own way)."""
    mongo = settings.mongo
    return dict(
        kind=settings.catalog,
        path=str(settings.catalog_path),
        database=mongo.database,
        collection=mongo.collection,
        tls=mongo.tls,
        tls_ca_file=mongo.tls_ca_file,
        retry_writes=mongo.retry_writes,
        read_preference=mongo.read_preference,
        server_selection_timeout_ms=mongo.timeout_ms,
        connect_timeout_ms=mongo.timeout_ms,
        fields=mongo.fields,
        customer_pattern=settings.customer_pattern,
    )


def sender_address(settings: Settings) -> str:
    """From: with the display name, so inboxes show who writes rather than an address."""
    if not settings.mail_from_name:
        return settings.mail_from
    return formataddr((settings.mail_from_name, settings.mail_from))


def mailer_config(settings: Settings) -> dict[str, Any]:
    """Everything but the SMTP password (a secret the caller supplies its own way)."""
    smtp, ses = settings.smtp, settings.ses
    return dict(
        kind=settings.mailer,
        sender=sender_address(settings),
        outbox_dir=str(settings.outbox_dir),
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_security=smtp.security,
        smtp_username=smtp.username,
        smtp_ca_file=smtp.ca_file,
        ses_region=ses.region,
        ses_endpoint_url=ses.endpoint_url,
        ses_configuration_set=ses.configuration_set,
        ses_max_send_rate=ses.max_send_rate,
        smtp_max_rate=smtp.max_rate,
    )


def open_app_database(settings: Settings) -> AppStore:
    """The embedded database migrates itself; a production one only by `db upgrade`."""
    return open_app_store(settings.database_url, auto_upgrade=not settings.database_is_external)


def open_settings_catalog(settings: Settings) -> DocumentCatalog:
    config = catalog_config(settings)
    options = mongo_client_options(
        **{
            k: config[k]
            for k in (
                "tls",
                "tls_ca_file",
                "retry_writes",
                "read_preference",
                "server_selection_timeout_ms",
                "connect_timeout_ms",
            )
        }
    )
    return open_catalog(
        config["kind"],
        config["path"],
        lambda: mongo_collection(
            settings.mongo.uri, config["database"], config["collection"], options
        ),
        config["fields"],
        config["customer_pattern"],
    )


def open_settings_mailer(settings: Settings, app: AppStore) -> Mailer:
    """The configured mailer, paced by the bucket every sender shares (CLI, workers)."""
    return open_mailer(
        **mailer_config(settings),
        smtp_password=settings.smtp.password,
        rate_factory=send_rate_factory(settings.redis_url, app),
    )


@dataclass(frozen=True)
class Services:
    store: ObjectStore
    catalog: DocumentCatalog
    app: AppStore


def open_services(settings: Settings) -> Services:
    """The same implementations the Dagster resources give the assets."""
    return Services(
        open_object_store(**object_store_config(settings)),
        open_settings_catalog(settings),
        open_app_database(settings),
    )
