"""Dagster resources: configuration in, a domain interface out.

Each resource's ``open()`` is the one place that decides which implementation
(production or embedded) the pipeline talks to. Secrets (the Mongo URI, the
database URL, the SMTP password) arrive as ``EnvVar`` references from
``definitions.build_resources``, so they are resolved in the step process and
never shown in the UI or written to the run's config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from dagster import ConfigurableResource
from dagster_aws.s3 import S3Resource

from report_pipeline.appdb.store import AppStore, open_app_store
from report_pipeline.delivery.mailers import Mailer, OutboxMailer, SmtpMailer
from report_pipeline.storage.catalog import DocumentCatalog, EmbeddedCatalog, MongoCatalog
from report_pipeline.storage.object_store import LocalObjectStore, ObjectStore, S3ObjectStore


class S3ClientResource(S3Resource):
    """dagster-aws `S3Resource` plus the retry mode and timeouts it does not expose.

    `S3Resource.get_client` always uses botocore's ``standard`` retry mode;
    ``adaptive`` adds client-side rate limiting, which helps when many step
    processes hit one bucket prefix at once (S3 answers 503 SlowDown).
    Credentials come from the usual AWS chain (env, profile, instance role).
    """

    retry_mode: Literal["standard", "adaptive", "legacy"] = "standard"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    def botocore_config(self) -> Any:
        from botocore.config import Config

        return Config(
            retries={"total_max_attempts": self.max_attempts, "mode": self.retry_mode},
            connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
        )

    def get_client(self) -> Any:
        import boto3
        from botocore.handlers import disable_signing

        session = boto3.session.Session(profile_name=self.profile_name)
        client = session.client(
            "s3", region_name=self.region_name, endpoint_url=self.endpoint_url,
            use_ssl=self.use_ssl, verify=self.verify,
            aws_access_key_id=self.aws_access_key_id,
            aws_secret_access_key=self.aws_secret_access_key,
            aws_session_token=self.aws_session_token,
            config=self.botocore_config(),
        )
        if self.use_unsigned_session:
            client.meta.events.register("choose-signer.s3.*", disable_signing)
        return client


class ObjectStoreResource(ConfigurableResource):
    """`local` (a directory) or `s3` (any S3 API through `S3ClientResource`).

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

    def s3_resource(self) -> S3ClientResource:
        return S3ClientResource(
            endpoint_url=self.endpoint_url, region_name=self.region_name,
            max_attempts=self.max_attempts, retry_mode=self.retry_mode,
        )

    def open(self) -> ObjectStore:
        if self.kind == "local":
            return LocalObjectStore(Path(self.root))
        if self.kind == "s3":
            if not self.bucket:
                raise ValueError("REPORT_PIPELINE_S3_BUCKET is not set")
            return S3ObjectStore(
                self.s3_resource().get_client(), self.bucket, self.prefix, self.sse, self.kms_key_id
            )
        raise ValueError(f"unknown object store kind {self.kind!r} (expected local or s3)")


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
    socket_timeout_ms: int = 60_000

    def client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "tz_aware": True,
            "appname": "report-pipeline",
            "retryWrites": self.retry_writes,
            "readPreference": self.read_preference,
            "serverSelectionTimeoutMS": self.server_selection_timeout_ms,
            "connectTimeoutMS": self.connect_timeout_ms,
            "socketTimeoutMS": self.socket_timeout_ms,
        }
        if self.tls is not None:
            options["tls"] = self.tls
        if self.tls_ca_file:
            options["tls"] = True
            options["tlsCAFile"] = self.tls_ca_file
        return options

    def mongo_collection(self) -> Any:
        import pymongo  # looked up at call time, so tests can patch in mongomock

        if not self.mongo_uri:
            raise ValueError("REPORT_PIPELINE_MONGO_URI is not set")
        client = pymongo.MongoClient(self.mongo_uri, **self.client_options())
        return client[self.database][self.collection]

    def open(self) -> DocumentCatalog:
        if self.kind == "embedded":
            return EmbeddedCatalog(Path(self.path))
        if self.kind == "mongodb":
            return MongoCatalog(self.mongo_collection())
        raise ValueError(f"unknown catalog kind {self.kind!r} (expected embedded or mongodb)")


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
    ses_region: str | None = None
    ses_endpoint_url: str | None = None
    ses_configuration_set: str | None = None
    ses_max_send_rate: float | None = None  # None: the account's MaxSendRate

    def open(self) -> Mailer:
        if self.kind == "outbox":
            return OutboxMailer(Path(self.outbox_dir))
        if self.kind == "smtp":
            return SmtpMailer(
                self.smtp_host, self.smtp_port, security=self.smtp_security,
                username=self.smtp_username, password=self.smtp_password,
            )
        if self.kind == "ses":
            from report_pipeline.delivery.ses import SesMailer

            return SesMailer.from_config(
                self.ses_region, endpoint_url=self.ses_endpoint_url,
                configuration_set=self.ses_configuration_set,
                max_send_rate=self.ses_max_send_rate,
            )
        raise ValueError(f"unknown mailer kind {self.kind!r} (expected outbox, smtp or ses)")
