from __future__ import annotations

import uuid

import boto3
import pytest

from report_pipeline.storage.object_store import (
    InvalidKey,
    LocalObjectStore,
    ObjectNotFound,
    S3ObjectStore,
    sha256_of,
)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path):
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"reports-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    return S3ObjectStore(client, bucket, prefix="tenant-a")


def test_put_then_get_returns_the_same_bytes(store) -> None:
    uri = store.put("customers/acme/2024/03/doc/note.txt", b"hello", "text/plain")
    assert store.get("customers/acme/2024/03/doc/note.txt") == b"hello"
    assert store.exists("customers/acme/2024/03/doc/note.txt")
    assert "customers/acme/2024/03/doc/note.txt" in uri


def test_missing_object_raises_object_not_found(store) -> None:
    assert not store.exists("customers/acme/missing.txt")
    with pytest.raises(ObjectNotFound, match="missing.txt"):
        store.get("customers/acme/missing.txt")
    with pytest.raises(ObjectNotFound):
        list(store.iter_chunks("customers/acme/missing.txt"))


def test_sha256_is_streamed_over_chunks(store) -> None:
    import hashlib

    data = b"x" * (3 * 1024 * 1024 + 17)
    store.put("big/blob.bin", data)
    assert sha256_of(store, "big/blob.bin") == hashlib.sha256(data).hexdigest()


def test_the_version_token_changes_when_the_object_is_written_again(store) -> None:
    store.put("customers/acme/doc/scan.png", b"first bytes")
    first = store.version("customers/acme/doc/scan.png")
    assert store.version("customers/acme/doc/scan.png") == first
    store.put("customers/acme/doc/scan.png", b"other bytes")  # same size, other bytes
    assert store.version("customers/acme/doc/scan.png") != first
    with pytest.raises(ObjectNotFound):
        store.version("customers/acme/doc/missing.png")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/"])
def test_keys_that_escape_the_root_are_refused(store, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, b"x")


def test_keys_with_spaces_and_non_ascii_work(store) -> None:
    key = "customers/acme/scan of ÄÖ 1.png"
    store.put(key, b"bytes")
    assert store.get(key) == b"bytes"


def test_s3_writes_are_encrypted_at_rest(s3_endpoint: str) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="encrypted-bucket")
    S3ObjectStore(client, "encrypted-bucket").put("reports/x.pdf", b"%PDF")
    head = client.head_object(Bucket="encrypted-bucket", Key="reports/x.pdf")
    assert head["ServerSideEncryption"] == "AES256"


def test_local_writes_leave_no_temporary_files(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    store.put("a/b.txt", b"1")
    store.put("a/b.txt", b"2")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.txt"]
    assert store.get("a/b.txt") == b"2"
