from __future__ import annotations

from datetime import datetime, timedelta, timezone

import mongomock
import pytest

from report_pipeline.models import DocumentRecord
from report_pipeline.storage.catalog import DuplicateDocument, EmbeddedCatalog, MongoCatalog

MONDAY = datetime(2024, 3, 4, tzinfo=timezone.utc)


@pytest.fixture(params=["embedded", "mongodb"])
def catalog(request: pytest.FixtureRequest, tmp_path):
    if request.param == "embedded":
        return EmbeddedCatalog(tmp_path / "catalog.sqlite3")
    collection = mongomock.MongoClient(tz_aware=True)["documents"]["documents"]
    mongo = MongoCatalog(collection)
    mongo.ensure_indexes()
    return mongo


def record(doc_id: str, created_at: datetime, customer: str = "acme") -> DocumentRecord:
    return DocumentRecord(doc_id, f"customers/{customer}/{doc_id}.txt", "text/plain",
                          created_at, 10, trial_id="T-1")


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
