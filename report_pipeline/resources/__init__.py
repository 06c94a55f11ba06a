"""Dagster resources: configuration in, a domain interface out.

Each resource's ``open()`` is the one place that decides which implementation
(production or embedded) the pipeline talks to.
"""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.mailers import Mailer, OutboxMailer, SmtpMailer
from report_pipeline.storage.catalog import DocumentCatalog, EmbeddedCatalog, MongoCatalog
from report_pipeline.storage.object_store import LocalObjectStore, ObjectStore, S3ObjectStore


class ObjectStoreResource(ConfigurableResource):
    """`local` (a directory) or `s3` (any S3 API through endpoint_url)."""

    kind: str = "local"
    root: str = "var/objects"
    bucket: str = ""
    prefix: str = ""
    endpoint_url: str | None = None
    region_name: str | None = None
    sse: str = "AES256"
    kms_key_id: str | None = None

    def open(self) -> ObjectStore:
        if self.kind == "local":
            return LocalObjectStore(Path(self.root))
        if self.kind == "s3":
            import boto3

            client = boto3.client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region_name
            )
            return S3ObjectStore(client, self.bucket, self.prefix, self.sse, self.kms_key_id)
        raise ValueError(f"unknown object store kind {self.kind!r} (expected local or s3)")


class CatalogResource(ConfigurableResource):
    """`embedded` (a SQLite file) or `mongodb` (MongoDB / DocumentDB)."""

    kind: str = "embedded"
    path: str = "var/catalog.sqlite3"
    mongo_uri: str | None = None
    database: str = "documents"
    collection: str = "documents"

    def open(self) -> DocumentCatalog:
        if self.kind == "embedded":
            return EmbeddedCatalog(Path(self.path))
        if self.kind == "mongodb":
            import pymongo

            client = pymongo.MongoClient(self.mongo_uri, tz_aware=True)
            return MongoCatalog(client[self.database][self.collection])
        raise ValueError(f"unknown catalog kind {self.kind!r} (expected embedded or mongodb)")


class AppDatabaseResource(ConfigurableResource):
    """SQLAlchemy URL of the app database (SQLite file by default)."""

    url: str

    def open(self) -> AppStore:
        store = AppStore(self.url)
        store.upgrade()
        return store


class MailerResource(ConfigurableResource):
    """`outbox` (.eml files in a directory) or `smtp`."""

    kind: str = "outbox"
    sender: str = "reports@example.com"
    outbox_dir: str = "var/outbox"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None

    def open(self) -> Mailer:
        if self.kind == "outbox":
            return OutboxMailer(Path(self.outbox_dir))
        if self.kind == "smtp":
            return SmtpMailer(
                self.smtp_host, self.smtp_port, security=self.smtp_security,
                username=self.smtp_username, password=self.smtp_password,
            )
        raise ValueError(f"unknown mailer kind {self.kind!r} (expected outbox or smtp)")
