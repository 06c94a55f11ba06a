"""Retention deletes old features, manifests, reports and outbox files; nothing else."""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from report_pipeline.pipeline.keys import TYPE_MODEL_POINTER_KEY, type_model_key
from report_pipeline.pipeline.retention import (
    apply_retention,
    expired_items,
    expired_models,
    format_items,
)
from report_pipeline.storage.object_store import LocalObjectStore, S3ObjectStore

OLD = [
    "features/cache/text-3/ab/abcd.json",
    "features/weeks/2023-01-02/features.json",
    "manifests/2023-01-02/manifest.json",
    "reports/2023-01-02/weekly-report.pdf",
    "reports/2023-01-02/manifest.json",
]
RECENT = [
    "features/cache/text-3/cd/cdef.json",
    "manifests/2024-03-04/manifest.json",
    "reports/2024-03-04/weekly-report.pdf",
]
NEVER = ["customers/acme/2023/01/doc-1/note.txt"]  # source documents are not under the policy


def _back_date(path, days: int) -> None:
    moment = time.time() - days * 86400
    os.utime(path, (moment, moment))


@pytest.fixture
def local_week(tmp_path):
    store = LocalObjectStore(tmp_path / "objects")
    for key in OLD + RECENT + NEVER:
        store.put(key, b"{}")
    for key in OLD + NEVER:
        _back_date(store.local_path(key), 401)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    for name, age in (("old.eml", 500), ("new.eml", 3), ("notes.txt", 500)):
        (outbox / name).write_bytes(b"x")
        _back_date(outbox / name, age)
    return store, outbox


def test_old_items_are_deleted_recent_and_out_of_policy_kept(local_week) -> None:
    store, outbox = local_week
    removed = apply_retention(store, outbox, 400)
    assert sorted(i.name for i in removed if i.where == "object") == sorted(OLD)
    assert [i.name for i in removed if i.where == "outbox"] == ["old.eml"]
    assert not any(store.exists(key) for key in OLD)
    assert all(store.exists(key) for key in RECENT + NEVER)
    assert sorted(p.name for p in outbox.iterdir()) == ["new.eml", "notes.txt"]
    assert not (store.root / "reports" / "2023-01-02").exists()  # emptied week folder pruned
    assert apply_retention(store, outbox, 400) == []  # idempotent


def test_dry_run_lists_and_deletes_nothing(local_week) -> None:
    store, outbox = local_week
    listed = apply_retention(store, outbox, 400, dry_run=True)
    assert len(listed) == len(OLD) + 1
    assert all(store.exists(key) for key in OLD)
    assert "would delete object reports/2023-01-02/weekly-report.pdf" in format_items(listed, True)
    assert format_items([], False) == "nothing older than the policy"


def test_s3_objects_past_the_policy_are_deleted(s3_endpoint: str) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"retention-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    store = S3ObjectStore(client, bucket, prefix="tenant-a")
    for key in OLD + NEVER:
        store.put(key, b"{}")
    later = datetime.now(UTC) + timedelta(days=401)  # S3 keeps its own clock
    assert expired_items(store, None, 400) == []
    removed = apply_retention(store, None, 400, now=later)
    assert sorted(i.name for i in removed) == sorted(OLD)
    assert store.exists(NEVER[0]) and not store.exists(OLD[0])

    models = [type_model_key(f"v{n}") for n in range(5)]
    for key in models:
        store.put(key, b"model")
    store.put(TYPE_MODEL_POINTER_KEY, json.dumps({"version": "v0", "key": models[0]}).encode())
    removed = apply_retention(store, None, 400)
    # Written in order: v4 to v2 are the newest (ties in a second go by key), v0 is current.
    assert [(i.where, i.name) for i in removed] == [("model", models[1])]
    assert [store.exists(key) for key in models] == [True, False, True, True, True]


def _model_store(tmp_path, current: str) -> tuple[LocalObjectStore, list[str]]:
    """Five model versions, one day apart (v0 oldest), the pointer naming ``current``."""
    store = LocalObjectStore(tmp_path / "objects")
    keys = [type_model_key(f"v{n}") for n in range(5)]
    for age, key in zip(range(5, 0, -1), keys, strict=True):
        store.put(key, b"model")
        _back_date(store.local_path(key), age)
    pointer = {"version": current, "key": type_model_key(current)}
    store.put(TYPE_MODEL_POINTER_KEY, json.dumps(pointer).encode())
    return store, keys


def test_the_newest_models_and_the_current_one_are_kept(tmp_path) -> None:
    store, keys = _model_store(tmp_path, current="v0")  # rolled back to the oldest
    removed = apply_retention(store, None, 400)
    assert [(i.where, i.name) for i in removed] == [("model", keys[1])]
    assert [store.exists(key) for key in keys] == [True, False, True, True, True]
    assert store.exists(TYPE_MODEL_POINTER_KEY)
    assert "deleted model classifier/models/v1.npz" in format_items(removed, False)
    assert apply_retention(store, None, 400) == []


def test_models_are_kept_by_count_not_age(tmp_path) -> None:
    store, keys = _model_store(tmp_path, current="v4")
    later = datetime.now(UTC) + timedelta(days=1000)
    assert sorted(i.name for i in expired_models(store)) == keys[:2]
    assert {i.name for i in expired_items(store, None, 400, now=later)} == set(keys[:2])
    store.put(TYPE_MODEL_POINTER_KEY, b"not json")  # which one is current is unknown
    assert expired_models(store) == []
