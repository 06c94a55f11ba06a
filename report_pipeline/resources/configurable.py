"""Dagster resources: configuration in, a domain interface out.

Each resource's fields are the flat form of a settings dataclass (a nested
resource would make a context-manager resource, which the CLI and the API
cannot open): ``from_settings`` flattens it, ``open()`` builds the backend's
typed config back from the fields and hands it to ``connections``, the one
place that decides which implementation the pipeline talks to. Secrets (the
Mongo URI, the database URL, the SMTP password) arrive as ``EnvVar`` references
from ``resources.build``, so they are resolved in the step process and never
shown in the UI or written to the run's config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Literal, Self, TypeVar

from dagster import ConfigurableResource

from report_pipeline.appdb.store import AppStore, open_app_store
from report_pipeline.delivery.mailers import Mailer, MailerConfig
from report_pipeline.resources import connections
from report_pipeline.settings import S3Settings, SesSettings, Settings, SmtpSettings
from report_pipeline.storage.catalog import CatalogConfig, DocumentCatalog
from report_pipeline.storage.catalog_shape import DEFAULT_CUSTOMER_PATTERN, CatalogShape
from report_pipeline.storage.object_store import ObjectStore, ObjectStoreConfig

T = TypeVar("T")
_NO_RENAMES: Mapping[str, str] = {}
# Resource field names that differ from the settings field they hold.
S3_RENAMED = {"region": "region_name"}
MONGO_RENAMED = {"uri": "mongo_uri"}


def _flat(
    declared: Any, resource: type, prefix: str = "", renamed: Mapping[str, str] = _NO_RENAMES
) -> dict[str, Any]:
    """A settings dataclass as the resource fields that hold it."""
    values = {
        renamed.get(f.name, prefix + f.name): getattr(declared, f.name) for f in fields(declared)
    }
    return {name: value for name, value in values.items() if name in resource.model_fields}


def _nested(
    resource: ConfigurableResource,
    declared: type[T],
    prefix: str = "",
    renamed: Mapping[str, str] = _NO_RENAMES,
) -> T:
    """The settings dataclass back from the resource's resolved fields (EnvVars read)."""
    names = {f.name: renamed.get(f.name, prefix + f.name) for f in fields(declared)}  # type: ignore[arg-type]
    held = type(resource).model_fields
    return declared(**{own: getattr(resource, name) for own, name in names.items() if name in held})


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

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        config = connections.object_store_config(settings)
        return cls(
            kind=config.kind,
            root=config.root,
            sse=config.sse,
            **_flat(config.s3, cls, "", S3_RENAMED),
        )

    def backend_config(self) -> ObjectStoreConfig:
        return ObjectStoreConfig(
            self.kind, self.root, _nested(self, S3Settings, "", S3_RENAMED), self.sse
        )

    def open(self) -> ObjectStore:
        return connections.open_object_store(self.backend_config())


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

    @classmethod
    def from_settings(cls, settings: Settings, mongo_uri: Any = None) -> Self:
        """``mongo_uri``: the secret, as the caller hands it in (an EnvVar reference)."""
        values = _flat(settings.mongo, cls, "", MONGO_RENAMED)
        return cls(
            **{**values, "mongo_uri": mongo_uri},
            kind=settings.catalog,
            path=str(settings.catalog_path),
            server_selection_timeout_ms=settings.mongo.timeout_ms,
            connect_timeout_ms=settings.mongo.timeout_ms,
            customer_pattern=settings.customer_pattern,
        )

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
        shape = CatalogShape.from_settings(self.fields, self.customer_pattern)
        return connections.open_catalog(
            CatalogConfig(self.kind, self.path, shape, self.mongo_collection)
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
    smtp_timeout_seconds: float = 30.0
    # Where the send-rate bucket shared with every other sender lives: Redis
    # (REPORT_PIPELINE_REDIS_URL, an EnvVar: it may carry a password), else the
    # app database at `rate_database_url`; neither: this process alone.
    redis_url: str | None = None
    rate_database_url: str | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        smtp_password: Any = None,
        redis_url: Any = None,
        rate_database_url: Any = None,
    ) -> Self:
        """The secrets as the caller hands them in (EnvVar references)."""
        return cls(
            **{**_flat(settings.smtp, cls, "smtp_"), "smtp_password": smtp_password},
            **_flat(settings.ses, cls, "ses_"),
            kind=settings.mailer,
            sender=connections.sender_address(settings),
            outbox_dir=str(settings.outbox_dir),
            redis_url=redis_url,
            rate_database_url=rate_database_url,
        )

    def open(self) -> Mailer:
        redis_url, database_url = self.redis_url, self.rate_database_url
        paced = self.kind == "ses" or (self.kind == "smtp" and self.smtp_max_rate is not None)
        app = AppStore(database_url) if paced and database_url and not redis_url else None
        config = MailerConfig(
            self.kind,
            self.outbox_dir,
            _nested(self, SmtpSettings, "smtp_"),
            _nested(self, SesSettings, "ses_"),
            connections.send_rate_factory(redis_url, app),
        )
        return connections.open_mailer(config)
