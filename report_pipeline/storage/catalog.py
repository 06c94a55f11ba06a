"""Document catalog: MongoDB / DocumentDB in production, a SQLite file by default.

Both stream a week's documents with a cursor ordered by ``created_at`` so a
week of any size is never loaded whole.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from report_pipeline.health import Health, healthy, scrub, unhealthy, writable_dir
from report_pipeline.models import DocumentRecord
from report_pipeline.private_files import private_file
from report_pipeline.storage.catalog_shape import DEFAULT_SHAPE, FIELDS, CatalogShape

if TYPE_CHECKING:
    from report_pipeline.settings import Settings


class DuplicateDocument(ValueError):
    pass


@dataclass(frozen=True)
class InvalidRecord:
    """A catalog record that cannot be used as is: missing fields or wrong types.

    `record` holds what could be salvaged (placeholders elsewhere) so the
    document is still listed, counted and explained instead of crashing the week.
    """

    record: DocumentRecord
    problems: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "invalid catalog record: " + "; ".join(self.problems)


CatalogItem = DocumentRecord | InvalidRecord


class DocumentCatalog(Protocol):
    def add(self, record: DocumentRecord) -> None: ...

    def get(self, document_id: str) -> DocumentRecord | None: ...

    def iter_created_between(self, start: datetime, end: datetime) -> Iterator[DocumentRecord]:
        """Valid documents with start <= created_at < end, oldest first."""

    def iter_items_between(self, start: datetime, end: datetime) -> Iterator[CatalogItem]:
        """As iter_created_between, with invalid records as InvalidRecord instead of skipped."""


def _valid_only(items: Iterator[CatalogItem]) -> Iterator[DocumentRecord]:
    return (item for item in items if isinstance(item, DocumentRecord))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class EmbeddedCatalog:
    """The catalog as one SQLite file; timestamps stored as sortable UTC ISO text."""

    def __init__(self, path: Path, shape: CatalogShape = DEFAULT_SHAPE) -> None:
        self.path = Path(path)
        self.shape = shape  # its columns are ours; only the customer pattern applies
        private_file(self.path)  # document metadata: owner-only (0600)
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS documents (document_id TEXT PRIMARY KEY,"
                " file_location TEXT NOT NULL, content_type TEXT NOT NULL,"
                " created_at TEXT NOT NULL, size INTEGER NOT NULL, trial_id TEXT, language TEXT)"
            )
            # Catalogs created before documents had a language gain the column.
            columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
            if "language" not in columns:
                conn.execute("ALTER TABLE documents ADD COLUMN language TEXT")
            conn.execute("CREATE INDEX IF NOT EXISTS documents_created_at ON documents(created_at)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def add(self, record: DocumentRecord) -> None:
        row = (
            record.document_id,
            record.file_location,
            record.content_type,
            _utc(record.created_at).isoformat(),
            record.size,
            record.trial_id,
            record.language,
        )
        try:
            with closing(self._connect()) as conn, conn:
                conn.execute(
                    f"INSERT INTO documents ({','.join(FIELDS)})"
                    f" VALUES ({','.join('?' * len(row))})",
                    row,
                )
        except sqlite3.IntegrityError:
            raise DuplicateDocument(f"document {record.document_id!r} already exists") from None

    def get(self, document_id: str) -> DocumentRecord | None:
        with closing(self._connect()) as conn:
            row = conn.execute(
                f"SELECT {','.join(FIELDS)} FROM documents WHERE document_id = ?", (document_id,)
            ).fetchone()
        item = (
            validate_record(dict(zip(FIELDS, row, strict=False)), shape=self.shape) if row else None
        )
        return item if isinstance(item, DocumentRecord) else None

    def iter_created_between(self, start: datetime, end: datetime) -> Iterator[DocumentRecord]:
        return _valid_only(self.iter_items_between(start, end))

    def iter_items_between(self, start: datetime, end: datetime) -> Iterator[CatalogItem]:
        with closing(self._connect()) as conn:
            cursor = conn.execute(
                f"SELECT {','.join(FIELDS)} FROM documents"
                " WHERE created_at >= ? AND created_at < ? ORDER BY created_at, document_id",
                (_utc(start).isoformat(), _utc(end).isoformat()),
            )
            for row in cursor:
                yield validate_record(
                    dict(zip(FIELDS, row, strict=False)),
                    fallback_created_at=start,
                    shape=self.shape,
                )


class MongoCatalog:
    """Documents in a MongoDB / DocumentDB collection, one per record.

    Field names are read through a `CatalogShape` (mapping and aliases), so a
    collection written by another team is read without being rewritten.
    """

    def __init__(self, collection: Any, shape: CatalogShape = DEFAULT_SHAPE) -> None:
        self.collection = collection
        self.shape = shape
        self.PROJECTION = shape.projection()
        self._created_field: str | None = None

    def ensure_indexes(self) -> None:
        self.collection.create_index("document_id", unique=True)
        self.collection.create_index("created_at")

    def add(self, record: DocumentRecord) -> None:
        from pymongo.errors import DuplicateKeyError

        doc = {name: getattr(record, name) for name in FIELDS}
        doc["created_at"] = _utc(record.created_at)
        try:
            self.collection.insert_one(doc)
        except DuplicateKeyError:
            raise DuplicateDocument(f"document {record.document_id!r} already exists") from None

    def get(self, document_id: str) -> DocumentRecord | None:
        doc = None
        for source in self.shape.sources("document_id"):
            doc = self.collection.find_one({source: document_id}, self.PROJECTION)
            if doc is not None:
                break
        item = validate_record(doc, shape=self.shape) if doc else None
        return item if isinstance(item, DocumentRecord) else None

    def iter_created_between(self, start: datetime, end: datetime) -> Iterator[DocumentRecord]:
        return _valid_only(self.iter_items_between(start, end))

    def iter_items_between(self, start: datetime, end: datetime) -> Iterator[CatalogItem]:
        created = self.created_field()
        query = {created: {"$gte": _utc(start), "$lt": _utc(end)}}
        cursor = self.collection.find(query, self.PROJECTION, batch_size=500)
        order = [(created, 1), (self.shape.sources("document_id")[0], 1)]
        with cursor.sort(order) as docs:
            for doc in docs:
                yield validate_record(doc, fallback_created_at=start, shape=self.shape)

    def created_field(self) -> str:
        """The collection's creation-time field: the mapped one, else the first alias in use.

        One field per collection keeps the range query on its index.
        """
        if self._created_field is None:
            sources = self.shape.sources("created_at")
            self._created_field = next(
                (
                    s
                    for s in sources
                    if self.collection.find_one({s: {"$exists": True}}, {"_id": 1})
                ),
                sources[0],
            )
        return self._created_field


# --- validation -------------------------------------------------------------
# Catalogs are written by other systems: any field may be missing or of the
# wrong type. Each problem is named; nothing here raises.

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def validate_record(
    raw: dict[str, Any],
    fallback_created_at: datetime | None = None,
    shape: CatalogShape = DEFAULT_SHAPE,
) -> CatalogItem:
    """A DocumentRecord, or an InvalidRecord listing every problem with the raw fields.

    `raw` is read through `shape` (field names, s3:// locations); a record whose
    customer cannot be derived from its location is invalid (a dead letter).
    """
    raw = shape.canonical(raw)
    problems: list[str] = []
    document_id = _text_field(raw, "document_id", problems, required=True)
    values = dict(
        file_location=_text_field(raw, "file_location", problems, required=True),
        content_type=_text_field(raw, "content_type", problems) or DEFAULT_CONTENT_TYPE,
        created_at=_created_at(raw.get("created_at"), problems),
        size=_size(raw.get("size"), problems),
        trial_id=_text_field(raw, "trial_id", problems),
        language=_text_field(raw, "language", problems),
    )
    customer = shape.customer_of(values["file_location"]) if values["file_location"] else None
    if values["file_location"] and customer is None:
        problems.append(shape.customer_problem(values["file_location"]))
    if not problems:
        return DocumentRecord(document_id=document_id, customer=customer, **values)
    values["created_at"] = values["created_at"] or _utc(fallback_created_at or datetime.now(UTC))
    values["file_location"] = values["file_location"] or ""
    record = DocumentRecord(
        document_id=document_id or _placeholder_id(raw), customer=customer, **values
    )
    return InvalidRecord(record, tuple(problems))


def _text_field(
    raw: dict[str, Any], name: str, problems: list[str], required: bool = False
) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            problems.append(f"{name} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append(f"{name} has type {type(value).__name__}, expected text")
        return None
    return str(value)  # integer ids are common in exported catalogs and unambiguous


def _created_at(value: Any, problems: list[str]) -> datetime | None:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        try:
            return _utc(datetime.fromisoformat(value))
        except ValueError:
            problems.append(f"created_at {value[:40]!r} is not an ISO 8601 time")
            return None
    problems.append(
        "created_at is missing"
        if value is None
        else f"created_at has type {type(value).__name__}, expected a time"
    )
    return None


def _size(value: Any, problems: list[str]) -> int:
    if value is None:
        return 0  # informational only; the object's real size is what gets read
    if isinstance(value, bool):
        problems.append("size has type bool, expected an integer")
        return 0
    try:
        size = int(value)
    except (TypeError, ValueError):
        problems.append(f"size {str(value)[:40]!r} is not an integer")
        return 0
    if size < 0 or (isinstance(value, float) and size != value):
        problems.append(f"size {value!r} is not a byte count")
        return 0
    return size


def _placeholder_id(raw: dict[str, Any]) -> str:
    """A stable id for a record without one, so it can still be listed and replayed."""
    if raw.get("_id") is not None:
        return f"catalog-{raw['_id']}"
    digest = hashlib.sha256(repr(sorted((k, repr(v)) for k, v in raw.items())).encode())
    return f"catalog-{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class CatalogConfig:
    """What every catalog factory (`backends.CATALOGS`) is handed; `kind` picks the factory."""

    kind: str
    path: str
    shape: CatalogShape
    collection: Callable[[], Any] | None = None  # opens the Mongo collection when called


def open_embedded_catalog(config: CatalogConfig) -> DocumentCatalog:
    return EmbeddedCatalog(Path(config.path), config.shape)


def open_mongo_catalog(config: CatalogConfig) -> DocumentCatalog:
    assert config.collection is not None
    return MongoCatalog(config.collection(), config.shape)


# --- the doctor's checks (backends.CATALOGS) --------------------------------------------------


def check_embedded_catalog(settings: Settings) -> Health:
    return writable_dir("catalog (embedded)", settings.catalog_path.parent)


def check_mongo_catalog(settings: Settings) -> Health:
    """The URI parses, the collection opens as a run opens it, then check_mongo_collection."""
    service = "catalog (mongodb)"
    if not settings.mongo.uri:
        return unhealthy(
            service,
            "REPORT_PIPELINE_MONGO_URI is not set",
            "set it, e.g. mongodb://user:pass@host:27017/?replicaSet=rs0",
        )
    from pymongo.errors import ConfigurationError, InvalidURI
    from pymongo.uri_parser import parse_uri

    from report_pipeline.resources.connections import catalog_config

    try:
        parse_uri(settings.mongo.uri)  # MongoClient takes a bare host too
        opener = catalog_config(settings).collection
        assert opener is not None
        collection = opener()
    except (InvalidURI, ConfigurationError, ValueError) as error:
        return unhealthy(
            service,
            f"bad MongoDB URI or option: {scrub(str(error), settings)}",
            "correct REPORT_PIPELINE_MONGO_URI (mongodb://user:pass@host:port/...)"
            " and the REPORT_PIPELINE_MONGO_* options",
        )
    except Exception as error:
        return unhealthy(
            service,
            scrub(str(error), settings),
            "check REPORT_PIPELINE_MONGO_TLS_CA_FILE and the REPORT_PIPELINE_MONGO_* options",
        )
    return check_mongo_collection(collection, settings)


def check_mongo_collection(collection: Any, settings: Settings) -> Health:
    """Reachable, authenticated, and the weekly query has its `created_at` index."""
    from pymongo.errors import OperationFailure, PyMongoError

    service = "catalog (mongodb)"
    name = f"{collection.database.name}.{collection.name}"
    try:
        collection.database.client.admin.command("ping")
        indexes = collection.index_information()
    except OperationFailure as error:
        return unhealthy(
            service,
            f"MongoDB refused: {scrub(str(error), settings)}",
            "check the user, password and its read role on the database",
        )
    except PyMongoError as error:
        return unhealthy(
            service,
            f"MongoDB unreachable: {scrub(str(error), settings)}",
            "check the host in REPORT_PIPELINE_MONGO_URI, the network/security group,"
            " and TLS (DocumentDB: REPORT_PIPELINE_MONGO_TLS_CA_FILE=global-bundle.pem)",
        )
    if not any(spec["key"][0][0] == "created_at" for spec in indexes.values()):
        return unhealthy(
            service,
            f"{name} has no index on created_at: every week scans it all",
            f"run db.{collection.name}.createIndex({{created_at: 1}}) on"
            f" {collection.database.name}",
        )
    return healthy(service, f"{name} reachable, created_at index present")
