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
from report_pipeline.settings import Settings
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


def open_object_store(config: ObjectStoreConfig) -> ObjectStore:
    return backends.factory(backends.OBJECT_STORES, "object store", config.kind)(config)


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


def open_catalog(config: CatalogConfig) -> DocumentCatalog:
    return backends.factory(backends.CATALOGS, "catalog", config.kind)(config)


def open_mailer(config: MailerConfig) -> Mailer:
    """`config.rate_factory`: the send-rate bucket every sender shares (`send_rate_factory`)."""
    return backends.factory(backends.MAILERS, "mailer", config.kind)(config)


def send_rate_factory(redis_url: str | None, app: AppStore | None) -> SendRateFactory:
    """Where every sender's shared bucket lives: Redis when configured, else the app database.

    Buckets are made when a mailer first needs one (SES asks its rate first), so
    a factory that is never called opens nothing.
    """
    config = SendRateConfig(redis_url, app)
    return backends.factory(backends.SEND_RATES, "send rate", config.kind)(config)


# --- the same choices from the settings -----------------------------------------------------


def object_store_config(settings: Settings) -> ObjectStoreConfig:
    return ObjectStoreConfig(settings.object_store, str(settings.objects_dir), settings.s3)


def catalog_config(settings: Settings) -> CatalogConfig:
    """The Mongo collection (only for mongodb) opens with the URI of the settings."""
    mongo = settings.mongo
    options = mongo_client_options(
        mongo.tls,
        mongo.tls_ca_file,
        mongo.retry_writes,
        mongo.read_preference,
        mongo.timeout_ms,
        mongo.timeout_ms,
    )
    return CatalogConfig(
        settings.catalog,
        str(settings.catalog_path),
        CatalogShape.from_settings(mongo.fields, settings.customer_pattern),
        lambda: mongo_collection(mongo.uri, mongo.database, mongo.collection, options),
    )


def sender_address(settings: Settings) -> str:
    """From: with the display name, so inboxes show who writes rather than an address."""
    if not settings.mail_from_name:
        return settings.mail_from
    return formataddr((settings.mail_from_name, settings.mail_from))


def mailer_config(settings: Settings, rate_factory: SendRateFactory | None = None) -> MailerConfig:
    return MailerConfig(
        settings.mailer, str(settings.outbox_dir), settings.smtp, settings.ses, rate_factory
    )


def open_app_database(settings: Settings) -> AppStore:
    """The embedded database migrates itself; a production one only by `db upgrade`."""
    return open_app_store(settings.database_url, auto_upgrade=not settings.database_is_external)


def open_settings_mailer(settings: Settings, app: AppStore) -> Mailer:
    """The configured mailer, paced by the bucket every sender shares (CLI, workers)."""
    return open_mailer(mailer_config(settings, send_rate_factory(settings.redis_url, app)))


@dataclass(frozen=True)
class Services:
    store: ObjectStore
    catalog: DocumentCatalog
    app: AppStore


def open_services(settings: Settings) -> Services:
    """The same implementations the Dagster resources give the assets."""
    return Services(
        open_object_store(object_store_config(settings)),
        open_catalog(catalog_config(settings)),
        open_app_database(settings),
    )
