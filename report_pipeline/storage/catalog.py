"""Document catalog: MongoDB / DocumentDB in production, a SQLite file by default.

Both stream a week's documents with a cursor ordered by ``created_at`` so a
week of any size is never loaded whole.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Protocol

from report_pipeline.models import DocumentRecord

_FIELDS = ("document_id", "file_location", "content_type", "created_at", "size", "trial_id")


class DuplicateDocument(ValueError):
    pass


class DocumentCatalog(Protocol):
    def add(self, record: DocumentRecord) -> None: ...

    def get(self, document_id: str) -> DocumentRecord | None: ...

    def iter_created_between(self, start: datetime, end: datetime) -> Iterator[DocumentRecord]:
        """Documents with start <= created_at < end, oldest first."""


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class EmbeddedCatalog:
    """The catalog as one SQLite file; timestamps stored as sortable UTC ISO text."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS documents (document_id TEXT PRIMARY KEY,"
                " file_location TEXT NOT NULL, content_type TEXT NOT NULL,"
                " created_at TEXT NOT NULL, size INTEGER NOT NULL, trial_id TEXT)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS documents_created_at ON documents(created_at)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def add(self, record: DocumentRecord) -> None:
        row = (
            record.document_id, record.file_location, record.content_type,
            _utc(record.created_at).isoformat(), record.size, record.trial_id,
        )
        try:
            with closing(self._connect()) as conn, conn:
                conn.execute(f"INSERT INTO documents VALUES ({','.join('?' * len(row))})", row)
        except sqlite3.IntegrityError:
            raise DuplicateDocument(f"document {record.document_id!r} already exists") from None

    def get(self, document_id: str) -> DocumentRecord | None:
        with closing(self._connect()) as conn:
            row = conn.execute(
                f"SELECT {','.join(_FIELDS)} FROM documents WHERE document_id = ?", (document_id,)
            ).fetchone()
        return _record_from_row(row) if row else None

    def iter_created_between(self, start: datetime, end: datetime) -> Iterator[DocumentRecord]:
        with closing(self._connect()) as conn:
            cursor = conn.execute(
                f"SELECT {','.join(_FIELDS)} FROM documents"
                " WHERE created_at >= ? AND created_at < ? ORDER BY created_at, document_id",
                (_utc(start).isoformat(), _utc(end).isoformat()),
            )
            for row in cursor:
                yield _record_from_row(row)


def _record_from_row(row: tuple) -> DocumentRecord:
    data = dict(zip(_FIELDS, row))
    data["created_at"] = datetime.fromisoformat(data["created_at"])
    return DocumentRecord(**data)


class MongoCatalog:
    """Documents in a MongoDB / DocumentDB collection, one per record."""

    PROJECTION = {"_id": 0, **{name: 1 for name in _FIELDS}}

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    def ensure_indexes(self) -> None:
        self.collection.create_index("document_id", unique=True)
        self.collection.create_index("created_at")

    def add(self, record: DocumentRecord) -> None:
        from pymongo.errors import DuplicateKeyError

        doc = {name: getattr(record, name) for name in _FIELDS}
        doc["created_at"] = _utc(record.created_at)
        try:
            self.collection.insert_one(doc)
        except DuplicateKeyError:
            raise DuplicateDocument(f"document {record.document_id!r} already exists") from None

    def get(self, document_id: str) -> DocumentRecord | None:
        doc = self.collection.find_one({"document_id": document_id}, self.PROJECTION)
        return _record_from_doc(doc) if doc else None

    def iter_created_between(self, start: datetime, end: datetime) -> Iterator[DocumentRecord]:
        query = {"created_at": {"$gte": _utc(start), "$lt": _utc(end)}}
        cursor = self.collection.find(query, self.PROJECTION, batch_size=500)
        with cursor.sort([("created_at", 1), ("document_id", 1)]) as docs:
            for doc in docs:
                yield _record_from_doc(doc)


def _record_from_doc(doc: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        document_id=str(doc["document_id"]),
        file_location=str(doc["file_location"]),
        content_type=str(doc.get("content_type") or "application/octet-stream"),
        created_at=_utc(doc["created_at"]),
        size=int(doc.get("size") or 0),
        trial_id=doc.get("trial_id"),
    )
