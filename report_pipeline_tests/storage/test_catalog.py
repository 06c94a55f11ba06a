from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import mongomock
import pytest

from report_pipeline.models import DocumentRecord
from report_pipeline.storage.catalog import DuplicateDocument, EmbeddedCatalog, MongoCatalog

MONDAY = datetime(2024, 3, 4, tzinfo=UTC)


@pytest.fixture(params=["embedded", "mongodb"])
def catalog(request: pytest.FixtureRequest, tmp_path):
    if request.param == "embedded":
        return EmbeddedCatalog(tmp_path / "catalog.sqlite3")
    collection = mongomock.MongoClient(tz_aware=True)["documents"]["documents"]
    mongo = MongoCatalog(collection)
    mongo.ensure_indexes()
    return mongo


def record(doc_id: str, created_at: datetime, customer: str = "acme") -> DocumentRecord:
    return DocumentRecord(
        doc_id, f"customers/{customer}/{doc_id}.txt", "text/plain", created_at, 10, trial_id="T-1"
    )


def test_a_week_is_the_half_open_interval(catalog) -> None:
    catalog.add(record("before", MONDAY - timedelta(microseconds=1)))
    catalog.add(record("first", MONDAY))
    catalog.add(record("last", MONDAY + timedelta(days=7) - timedelta(microseconds=1)))
    catalog.add(record("after", MONDAY + timedelta(days=7)))
    week = list(catalog.iter_created_between(MONDAY, MONDAY + timedelta(days=7)))
    assert [r.document_id for r in week] == ["first", "last"]


def test_records_round_trip_with_utc_times(catalog) -> None:
    original = record("doc-1", datetime(2024, 3, 5, 12, 30, tzinfo=timezone(timedelta(hours=2))))
    catalog.add(original)
    stored = catalog.get("doc-1")
    assert stored is not None
    assert stored.created_at == original.created_at
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.customer_id == "acme" and stored.trial_id == "T-1"


def test_unknown_id_is_none(catalog) -> None:
    assert catalog.get("nope") is None


def test_duplicate_ids_are_refused(catalog) -> None:
    catalog.add(record("dup", MONDAY))
    with pytest.raises(DuplicateDocument, match="dup"):
        catalog.add(record("dup", MONDAY + timedelta(hours=1)))


def test_a_documents_language_round_trips(catalog) -> None:
    catalog.add(dataclasses.replace(record("doc-de", MONDAY), language="deu"))
    catalog.add(record("doc-plain", MONDAY))
    assert catalog.get("doc-de").language == "deu"
    assert catalog.get("doc-plain").language is None
    assert "language" not in catalog.get("doc-plain").to_json()  # manifests stay as they were


def test_a_catalog_file_from_before_languages_gains_the_column(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "catalog.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE documents (document_id TEXT PRIMARY KEY, file_location TEXT"
            " NOT NULL, content_type TEXT NOT NULL, created_at TEXT NOT NULL,"
            " size INTEGER NOT NULL, trial_id TEXT)"
        )
        conn.execute(
            "INSERT INTO documents VALUES ('old', 'customers/acme/old.txt',"
            " 'text/plain', '2024-03-04T09:00:00+00:00', 3, NULL)"
        )
    catalog = EmbeddedCatalog(path)
    assert catalog.get("old").language is None
    catalog.add(dataclasses.replace(record("new", MONDAY), language="fra"))
    assert catalog.get("new").language == "fra"
