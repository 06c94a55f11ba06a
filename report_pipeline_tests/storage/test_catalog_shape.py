"""Another team's collection read as it is: mapping, aliases, s3:// keys, customer pattern.

On mongomock always; on a real server too when REPORT_PIPELINE_TEST_MONGO_URI is set.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import mongomock
import pytest
from bson import ObjectId

from report_pipeline.pipeline.manifest import iter_manifest_entries
from report_pipeline.settings import SettingsError, load_settings
from report_pipeline.storage.catalog import InvalidRecord, MongoCatalog
from report_pipeline.storage.catalog_shape import CatalogShape, parse_field_mapping

MONDAY = datetime(2024, 3, 4, tzinfo=UTC)
AT = MONDAY + timedelta(days=1, hours=9)
WEEK_END = MONDAY + timedelta(days=7)
REAL_MONGO = os.environ.get("REPORT_PIPELINE_TEST_MONGO_URI")


@pytest.fixture(params=["mongomock", "server"])
def collection(request: pytest.FixtureRequest):
    if request.param == "mongomock":
        yield mongomock.MongoClient(tz_aware=True)["db"]["documents"]
        return
    if not REAL_MONGO:
        pytest.skip("REPORT_PIPELINE_TEST_MONGO_URI is not set")
    import pymongo

    client = pymongo.MongoClient(REAL_MONGO, tz_aware=True, serverSelectionTimeoutMS=5000)
    name = f"rp_test_{uuid.uuid4().hex[:10]}"
    yield client[name]["documents"]
    client.drop_database(name)
    client.close()


def _design_record(number: int, customer: str, *, uri: bool = False, **extra) -> dict:
    key = f"customers/{customer}/2024/03/{number}.txt"
    return {
        "_id": f"doc-{number}",
        "FileLocation": f"s3://their-bucket/{key}" if uri else key,
        "CreatedAt": AT + timedelta(minutes=number),
        "ContentType": "text/plain",
        "Size": 12,
        **extra,
    }


def test_design_shaped_records_are_read_through_the_aliases(collection) -> None:
    collection.insert_many(
        [
            _design_record(1, "acme"),
            _design_record(2, "globex", uri=True),
            {**_design_record(3, "acme"), "_id": ObjectId()},
        ]
    )
    items = list(MongoCatalog(collection).iter_items_between(MONDAY, WEEK_END))
    assert all(not isinstance(item, InvalidRecord) for item in items), items
    assert [(r.document_id, r.customer_id) for r in items[:2]] == [
        ("doc-1", "acme"),
        ("doc-2", "globex"),
    ]
    assert items[1].file_location == "customers/globex/2024/03/2.txt"  # the URI's key
    assert items[2].document_id == str(
        collection.find_one({"Size": 12, "FileLocation": {"$regex": "/3.txt$"}})["_id"]
    )
    assert items[0].created_at == AT + timedelta(minutes=1) and items[0].size == 12


def test_an_explicit_mapping_wins_over_aliases(collection) -> None:
    collection.insert_one(
        {
            "ref": "x-1",
            "path": "customers/acme/x.txt",
            "when": AT,
            "mime": "text/plain",
            "bytes": 3,
            "_id": "ignored",
        }
    )
    shape = CatalogShape(
        parse_field_mapping(
            "document_id=ref, file_location=path, created_at=when, content_type=mime, size=bytes"
        )
    )
    [record] = MongoCatalog(collection, shape).iter_items_between(MONDAY, WEEK_END)
    assert (record.document_id, record.customer_id, record.size) == ("x-1", "acme", 3)
    assert MongoCatalog(collection, shape).get("x-1") == record


def test_a_record_without_a_customer_is_a_catalog_dead_letter(collection) -> None:
    collection.insert_many(
        [_design_record(1, "acme"), {**_design_record(2, "acme"), "FileLocation": "inbox/2.txt"}]
    )

    class Store:
        def iter_chunks(self, key):
            yield b"hello"

        def version(self, key):
            return "1"

    entries = list(iter_manifest_entries(MongoCatalog(collection), Store(), MONDAY.date()))
    errors = {e.record.document_id: (e.error_stage, e.error) for e in entries}
    assert errors["doc-1"] == (None, None)
    stage, reason = errors["doc-2"]
    assert stage == "catalog" and "no customer can be derived" in reason
    assert "inbox/2.txt" in reason and "REPORT_PIPELINE_CUSTOMER_PATTERN" in reason


def test_a_custom_customer_pattern(collection) -> None:
    collection.insert_one({**_design_record(1, "x"), "FileLocation": "tenants/t-9/a.txt"})
    shape = CatalogShape(customer_pattern=r"^tenants/(?P<customer>[^/]+)/")
    [record] = MongoCatalog(collection, shape).iter_items_between(MONDAY, WEEK_END)
    assert record.customer_id == "t-9"


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("REPORT_PIPELINE_CATALOG_FIELDS", "document_id", "is not name=field"),
        ("REPORT_PIPELINE_CATALOG_FIELDS", "colour=Colour", "unknown field 'colour'"),
        ("REPORT_PIPELINE_CUSTOMER_PATTERN", "customers/([^/]+)/", "named group"),
        ("REPORT_PIPELINE_CUSTOMER_PATTERN", "customers/(", "not a regular expression"),
    ],
)
def test_bad_settings_name_the_variable(name: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=name) as error:
        load_settings({name: value})
    assert fragment in str(error.value)


def test_settings_reach_the_catalog() -> None:
    settings = load_settings(
        {
            "REPORT_PIPELINE_CATALOG_FIELDS": "document_id=_id",
            "REPORT_PIPELINE_CUSTOMER_PATTERN": "t/(?P<customer>[^/]+)/",
        }
    )
    assert settings.mongo.fields == "document_id=_id"
    assert settings.customer_pattern == "t/(?P<customer>[^/]+)/"
