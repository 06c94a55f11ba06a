"""Dagster resources: configuration in, a domain interface out.

Each resource's ``open()`` hands its fields to ``connections``, the one place
that decides which implementation (production or embedded) the pipeline talks
to. Secrets (the Mongo URI, the database URL, the SMTP password) arrive as
``EnvVar`` references from ``resources.build``, so they are resolved in the step
process and never shown in the UI or written to the run's config.
"""

from __future__ import annotations

from typing import Any, Literal

from dagster import ConfigurableResource

from report_pipeline.appdb.store import AppStore, open_app_store
from report_pipeline.delivery.mailers import Mailer
from report_pipeline.resources import connections
from report_pipeline.storage.catalog import DocumentCatalog
from report_pipeline.storage.catalog_shape import DEFAULT_CUSTOMER_PATTERN
from report_pipeline.storage.object_store import ObjectStore


def _fields(resource: ConfigurableResource, base: type) -> dict[str, Any]:
    """The resolved values (EnvVar references already read) of ``base``'s fields."""
    return {name: getattr(resource, name) for name in base.model_fields}


class ObjectStoreResource(ConfigurableResource):
    """`local` (a directory) or `s3` (any S3 API, botocore retries).

    The S3 settings are flat fields rather than a nested resource: a nested
    resource would make this a context-manager resource, which the CLI and
    the API (`process_config_and_initialize`) cannot open.
    """

    kind: str = "local"
    root: str = "var/objects"
    bucket: str = ""
    prefix: str = ""
    endpoint_url: str | None = None
    region_name: str | None = None
    max_attempts: int = 5
    retry_mode: Literal["standard", "adaptive", "legacy"] = "standard"
    sse: str = "AES256"
    kms_key_id: str | None = None

    def open(self) -> ObjectStore:
        return connections.open_object_store(**_fields(self, ObjectStoreResource))


class CatalogResource(ConfigurableResource):
    """`embedded` (a SQLite file) or `mongodb` (MongoDB / DocumentDB).

    DocumentDB needs TLS with the AWS CA bundle and does not support retryable
    writes; its URI usually also carries ``replicaSet=rs0``. Options given
    here override the same options in the URI.
    """

    kind: str = "embedded"
    path: str = "var/catalog.sqlite3"
    mongo_uri: str | None = None
    database: str = "documents"
    collection: str = "documents"
    tls: bool | None = None  # None: as the URI says
    tls_ca_file: str | None = None
    retry_writes: bool = False  # DocumentDB refuses retryable writes
    # A closed week's manifest must see every acknowledged insert: read the primary
    # unless it is down. `secondaryPreferred` offloads reads when replicas keep up.
    read_preference: str = "primaryPreferred"
    server_selection_timeout_ms: int = 10_000
    connect_timeout_ms: int = 10_000
    fields: str = ""  # REPORT_PIPELINE_CATALOG_FIELDS: ours=theirs,...
    customer_pattern: str = DEFAULT_CUSTOMER_PATTERN  # REPORT_PIPELINE_CUSTOMER_PATTERN

    def client_options(self) -> dict[str, Any]:
        return connections.mongo_client_options(
            self.tls,
            self.tls_ca_file,
            self.retry_writes,
            self.read_preference,
            self.server_selection_timeout_ms,
            self.connect_timeout_ms,
        )

    def mongo_collection(self) -> Any:
        return connections.mongo_collection(
            self.mongo_uri, self.database, self.collection, self.client_options()
        )

    def open(self) -> DocumentCatalog:
        return connections.open_catalog(
            self.kind, self.path, self.mongo_collection, self.fields, self.customer_pattern
        )


class AppDatabaseResource(ConfigurableResource):
    """SQLAlchemy URL of the app database (SQLite file by default).

    The embedded database migrates itself. A production database is migrated
    by the deployment (`report-pipeline db upgrade`), never by a step or a CLI
    command: the pipeline's user needs no DDL rights and two processes never
    race on a migration; a database behind the code is a clear error instead.
    """

    url: str
    auto_upgrade: bool = True

    def open(self) -> AppStore:
        return open_app_store(self.url, auto_upgrade=self.auto_upgrade)


class MailerResource(ConfigurableResource):
    """`outbox` (.eml files in a directory), `smtp` or `ses` (SES v2, AWS credential chain)."""

    kind: str = "outbox"
    sender: str = "reports@example.com"
    outbox_dir: str = "var/outbox"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_ca_file: str | None = None  # added to the system trust store
    ses_region: str | None = None
    ses_endpoint_url: str | None = None
    ses_configuration_set: str | None = None
    ses_max_send_rate: float | None = None  # None: the account's MaxSendRate
    smtp_max_rate: float | None = None  # None: no limit
    # Where the send-rate bucket shared with every other sender lives: Redis
    # (REPORT_PIPELINE_REDIS_URL, an EnvVar: it may carry a password), else the
    # app database at `rate_database_url`; neither: this process alone.
    redis_url: str | None = None
    rate_database_url: str | None = None

    def open(self) -> Mailer:
        fields = _fields(self, MailerResource)
        redis_url, database_url = fields.pop("redis_url"), fields.pop("rate_database_url")
        paced = self.kind == "ses" or (self.kind == "smtp" and self.smtp_max_rate is not None)
        app = AppStore(database_url) if paced and database_url and not redis_url else None
        return connections.open_mailer(
            **fields, rate_factory=connections.send_rate_factory(redis_url, app)
        )
