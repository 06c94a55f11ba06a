"""Object store: S3 in production, a local directory by default.

Both implementations take the same keys (``customers/acme/x.png``) and refuse
keys that could escape their root, so nothing above this module cares which
one it talks to.
"""

from __future__ import annotations

import hashlib
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from report_pipeline.health import Health, healthy, scrub, unhealthy, writable_dir
from report_pipeline.settings import S3Settings
from report_pipeline.storage.atomic_files import write_atomically, write_stream_atomically

if TYPE_CHECKING:
    from report_pipeline.settings import Settings

CHUNK_SIZE = 1024 * 1024


class ObjectNotFound(KeyError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"object {self.key!r} does not exist"


class InvalidKey(ValueError):
    pass


def validate_key(key: str) -> str:
    """Reject keys that are empty, absolute or climb out with ``..``."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidKey(f"invalid object key {key!r}")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidKey(f"invalid object key {key!r}")
    return key


class ObjectStore(Protocol):
    # How many requests are worth running at once, such as a week's cache lookups: on
    # S3 each waits on the network; a local file is read in microseconds, and threads
    # would only queue for the GIL (50,000 lookups: 7.3 s with 16 threads, 1.5 s in one).
    request_threads: int

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Store bytes under key; returns the object's URI."""

    def put_stream(
        self, key: str, handle: BinaryIO, content_type: str = "application/octet-stream"
    ) -> str:
        """Store what `handle` reads, without holding it all in memory; returns the URI."""

    def get(self, key: str) -> bytes: ...

    def iter_chunks(self, key: str) -> Iterator[bytes]: ...

    def exists(self, key: str) -> bool: ...

    def version(self, key: str) -> str:
        """A token of the object's current bytes, without reading them (S3: its ETag).

        It changes whenever the object is written again; raises ObjectNotFound.
        """

    def uri(self, key: str) -> str: ...

    def local_path(self, key: str) -> Path | None:
        """A filesystem path when the object lives on this machine, else None."""

    def download_url(self, key: str, ttl_seconds: int) -> str | None:
        """A link a browser or mail client can open for ``ttl_seconds``, where one exists."""


def sha256_of(store: ObjectStore, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in store.iter_chunks(key):
        digest.update(chunk)
    return digest.hexdigest()


class LocalObjectStore:
    """Objects as files under one root directory; writes are atomic."""

    request_threads = 1

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        return self.uri(key)

    def put_stream(
        self, key: str, handle: BinaryIO, content_type: str = "application/octet-stream"
    ) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_stream_atomically(path, iter(lambda: handle.read(CHUNK_SIZE), b""))
        return self.uri(key)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        try:
            handle = self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        with handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def version(self, key: str) -> str:
        try:
            found = self._path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        if not stat.S_ISREG(found.st_mode):
            raise ObjectNotFound(key)
        # Writes are atomic renames: new bytes are a new inode with a new mtime.
        return f"{found.st_size}-{found.st_mtime_ns}-{found.st_ino}"

    def uri(self, key: str) -> str:
        return self._path(key).as_uri()

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def download_url(self, key: str, ttl_seconds: int) -> str | None:
        return None  # the file sits on this machine's disk: no URL a browser could open


class S3ObjectStore:
    """Objects in one S3 bucket under an optional prefix, encrypted at rest."""

    request_threads = 16

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        sse: str = "AES256",
        kms_key_id: str | None = None,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.sse = sse
        self.kms_key_id = kms_key_id

    def _key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _encryption(self) -> dict[str, str]:
        if self.kms_key_id:
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        return {"ServerSideEncryption": self.sse} if self.sse else {}

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
            **self._encryption(),
        )
        return self.uri(key)

    def put_stream(
        self, key: str, handle: BinaryIO, content_type: str = "application/octet-stream"
    ) -> str:
        # Multipart upload in parts: constant memory; an error aborts the upload.
        self.client.upload_fileobj(
            handle,
            self.bucket,
            self._key(key),
            ExtraArgs={"ContentType": content_type, **self._encryption()},
        )
        return self.uri(key)

    def _get_body(self, key: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise ObjectNotFound(key) from None

    def get(self, key: str) -> bytes:
        return self._get_body(key).read()

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        yield from self._get_body(key).iter_chunks(CHUNK_SIZE)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def version(self, key: str) -> str:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise ObjectNotFound(key) from None
            raise
        etag = head["ETag"].strip('"')
        return f"{head['ContentLength']}-{etag}"

    def delete(self, key: str) -> None:
        """Remove one object (S3 only: the doctor's write probe cleans up after itself)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def local_path(self, key: str) -> Path | None:
        return None

    def download_url(self, key: str, ttl_seconds: int) -> str | None:
        """A presigned GET URL (SigV4 allows at most 7 days)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self._key(key)},
                ExpiresIn=ttl_seconds,
            )
        except (BotoCoreError, ClientError):
            return None  # a missing link must not fail a listing or a send


@dataclass(frozen=True)
class ObjectStoreConfig:
    """What every object-store factory (`backends.OBJECT_STORES`) is handed; `kind` picks it."""

    kind: str = "local"
    root: str = "var/objects"
    s3: S3Settings = S3Settings()
    sse: str = "AES256"


def open_local_store(config: ObjectStoreConfig) -> ObjectStore:
    return LocalObjectStore(Path(config.root))


def open_s3_store(config: ObjectStoreConfig) -> ObjectStore:
    from report_pipeline.resources.connections import s3_client

    s3 = config.s3
    if not s3.bucket:
        raise ValueError("REPORT_PIPELINE_S3_BUCKET is not set")
    client = s3_client(s3.endpoint_url, s3.region, s3.max_attempts, s3.retry_mode)
    return S3ObjectStore(client, s3.bucket, s3.prefix, config.sse, s3.kms_key_id)


# --- the doctor's checks (backends.OBJECT_STORES) ---------------------------------------------


def check_local_store(settings: Settings) -> Health:
    return writable_dir("object store (local)", settings.objects_dir)


def check_s3_store(settings: Settings) -> Health:
    """The bucket exists, and takes a write with the same encryption as every write."""
    from report_pipeline.resources.connections import object_store_config, open_object_store

    service = "object store (s3)"
    try:
        store = open_object_store(object_store_config(settings))
    except Exception as error:
        return unhealthy(
            service,
            scrub(str(error), settings),
            "set REPORT_PIPELINE_S3_BUCKET (and _S3_ENDPOINT_URL for non-AWS S3)",
        )
    return _check_bucket(service, store, settings)


def _check_bucket(service: str, store: Any, settings: Settings) -> Health:
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket = store.client, store.bucket
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchBucket", "NotFound"):
            return unhealthy(
                service,
                f"bucket {bucket!r} does not exist",
                "create it (SSE on, public access blocked) or correct REPORT_PIPELINE_S3_BUCKET",
            )
        if code in ("403", "AccessDenied", "Forbidden"):
            return unhealthy(
                service,
                f"access to bucket {bucket!r} denied",
                "check the AWS credentials/role: it needs s3:ListBucket,"
                " s3:GetObject, s3:PutObject (and kms:GenerateDataKey with a KMS key)",
            )
        return unhealthy(
            service,
            f"bucket {bucket!r}: {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_S3_ENDPOINT_URL, AWS_REGION and the credentials",
        )
    except BotoCoreError as error:
        return unhealthy(
            service,
            f"S3 unreachable: {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_S3_ENDPOINT_URL, AWS_REGION and the network",
        )
    key = f"doctor/probe-{uuid.uuid4().hex}"
    try:
        store.put(key, b"probe", "text/plain")  # with the same SSE as every write
        store.delete(key)
    except (ClientError, BotoCoreError) as error:
        return unhealthy(
            service,
            f"cannot write to bucket {bucket!r}: {scrub(str(error), settings)}",
            "grant s3:PutObject and s3:DeleteObject under the prefix (and the KMS"
            " key to the role when REPORT_PIPELINE_S3_KMS_KEY_ID is set)",
        )
    return healthy(service, f"bucket {bucket!r} exists and takes encrypted writes")
