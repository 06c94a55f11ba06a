"""Open each external system from plain configuration: the one place that picks
the production or the embedded implementation. No Dagster here, so the CLI and
the API open services without importing the orchestrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from report_pipeline import backends
from report_pipeline.appdb.store import AppStore, open_app_store
from report_pipeline.delivery.mailers import Mailer, MailerConfig
from report_pipeline.delivery.rate import SendRateConfig, SendRateFactory
from report_pipeline.settings import S3Settings, SesSettings, Settings, SmtpSettings
from report_pipeline.storage.catalog import CatalogConfig, DocumentCatalog
from report_pipeline.storage.catalog_shape import CatalogShape
from report_pipeline.storage.object_store import ObjectStore, ObjectStoreConfig


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
    config = ObjectStoreConfig(
        root,
        S3Settings(bucket, prefix, endpoint_url, region_name, max_attempts, retry_mode, kms_key_id),
        sse,
    )
    return backends.factory(backends.OBJECT_STORES, "object store", kind)(config)


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
    config = CatalogConfig(path, CatalogShape.from_settings(fields, customer_pattern), collection)
    return backends.factory(backends.CATALOGS, "catalog", kind)(config)


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
    config = MailerConfig(
        outbox_dir,
        SmtpSettings(
            smtp_host,
            smtp_port,
            smtp_security,
            smtp_username,
            smtp_password,
            smtp_ca_file,
            smtp_max_rate,
        ),
        SesSettings(ses_region, ses_endpoint_url, ses_configuration_set, ses_max_send_rate),
        rate_factory,
    )
    return backends.factory(backends.MAILERS, "mailer", kind)(config)


def send_rate_factory(redis_url: str | None, app: AppStore | None) -> SendRateFactory:
    """Where every sender's shared bucket lives: Redis when configured, else the app database.

    Buckets are made when a mailer first needs one (SES asks its rate first), so
    a factory that is never called opens nothing.
    """
    config = SendRateConfig(redis_url, app)
    return backends.factory(backends.SEND_RATES, "send rate", config.kind)(config)


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
