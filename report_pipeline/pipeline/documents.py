"""Adding and inspecting documents outside a run (used by the CLI and the demo)."""

from __future__ import annotations

import errno
import json
import mimetypes
import os
import re
import stat
import uuid
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.models import DocumentRecord
from report_pipeline.pipeline.features import cache_key_for, read_week_features
from report_pipeline.pipeline.inspection import inspect_object
from report_pipeline.resources.connections import Services
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore
from report_pipeline.weeks import week_start_of

_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
EXTRA_TYPES = {".md": "text/markdown", ".csv": "text/csv", ".webp": "image/webp"}


def validate_customer(customer_id: str) -> str:
    if not _CUSTOMER_ID.match(customer_id):
        raise ValueError(
            f"invalid customer id {customer_id!r}: use letters, digits, '.', '_' or '-'"
        )
    return customer_id


def content_type_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return (
        EXTRA_TYPES.get(suffix)
        or mimetypes.guess_type(path.name)[0]
        or ("application/octet-stream")
    )


def object_key_for(customer_id: str, document_id: str, filename: str, created_at: datetime) -> str:
    """`customers/<id>/<yyyy>/<mm>/<doc id>/<safe name>`: the customer is in the key."""
    safe = _UNSAFE_NAME_CHARS.sub("_", filename).strip("._") or "document"
    return f"customers/{customer_id}/{created_at:%Y/%m}/{document_id}/{safe}"


def store_document(
    services: Services,
    data: bytes,
    filename: str,
    content_type: str,
    customer_id: str,
    created_at: datetime,
    document_id: str | None = None,
    trial_id: str | None = None,
) -> DocumentRecord:
    """Object first, catalog record second: the catalog never points at nothing."""
    document_id = document_id or uuid.uuid4().hex
    key = object_key_for(validate_customer(customer_id), document_id, filename, created_at)
    services.store.put(key, data, content_type)
    record = DocumentRecord(document_id, key, content_type, created_at, len(data), trial_id)
    services.catalog.add(record)
    return record


class DocumentRefused(ValueError):
    """A path that is not stored; the message says why and what to do."""


class _Limited:
    """A reader that refuses to go past `limit` bytes (the file may grow while read)."""

    def __init__(self, handle: BinaryIO, limit: int, name: str) -> None:
        self.handle, self.limit, self.name, self.read_bytes = handle, limit, name, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(self.limit + 1 - self.read_bytes if size < 0 else size)
        self.read_bytes += len(chunk)
        if self.read_bytes > self.limit:
            raise DocumentRefused(_too_large(self.name, self.limit))
        return chunk


def _too_large(name: str, limit: int) -> str:
    return (
        f"{name} is larger than {limit} bytes (REPORT_PIPELINE_MAX_DOCUMENT_BYTES);"
        " nothing was stored"
    )


def open_document(path: Path, *, follow_symlinks: bool = False) -> BinaryIO:
    """The regular file at `path`, opened for reading; DocumentRefused otherwise.

    A symlink is refused unless asked for (a link to /etc/shadow must not be
    stored by whoever runs this as root); O_NOFOLLOW closes the race between the
    check and the open. FIFOs, directories and devices get their own message.
    """
    if path.is_symlink() and not follow_symlinks:
        raise DocumentRefused(
            f"{path} is a symbolic link; pass --follow-symlinks to store the file it points to"
        )
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise DocumentRefused(f"no such file: {path}") from None
    except IsADirectoryError:
        raise DocumentRefused(f"{path} is a directory, not a file") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DocumentRefused(f"{path} is a symbolic link; pass --follow-symlinks") from None
        raise DocumentRefused(f"cannot read {path}: {error.strerror}") from None
    kind = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(kind):
        os.close(descriptor)
        what = (
            "a directory"
            if stat.S_ISDIR(kind)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(kind)
            else "a socket"
            if stat.S_ISSOCK(kind)
            else "a device"
            if stat.S_ISCHR(kind) or stat.S_ISBLK(kind)
            else "not a regular file"
        )
        raise DocumentRefused(f"{path} is {what}, not a regular file")
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def add_document(
    services: Services,
    path: Path,
    customer_id: str,
    created_at: datetime,
    *,
    max_bytes: int = 200 * 1024 * 1024,
    follow_symlinks: bool = False,
) -> DocumentRecord:
    """Stream the file into the store (bounded memory, at most `max_bytes`), then catalog it."""
    with open_document(path, follow_symlinks=follow_symlinks) as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:
            raise DocumentRefused(_too_large(str(path), max_bytes))
        document_id = uuid.uuid4().hex
        key = object_key_for(validate_customer(customer_id), document_id, path.name, created_at)
        reader = _Limited(handle, max_bytes, str(path))
        content_type = content_type_of(path)
        services.store.put_stream(key, reader, content_type)  # type: ignore[arg-type]
    record = DocumentRecord(document_id, key, content_type, created_at, reader.read_bytes, None)
    services.catalog.add(record)
    return record


def describe_document(
    services: Services, document_id: str, *, page_limit: int = DEFAULT_MAX_PAGES
) -> dict | None:
    """The record plus its features (or failure), as far as the pipeline got."""
    record = services.catalog.get(document_id)
    if record is None:
        return None
    view: dict = {"record": record.to_json(), "status": "not processed", "features": None}
    try:
        # The cache key follows the content.
        entry = inspect_object(services.store, record, page_limit=page_limit)
    except ObjectNotFound as error:
        return {**view, "status": "failed", "stage": "read", "reason": str(error)}
    cache_key = cache_key_for(entry)
    if cache_key and services.store.exists(cache_key):
        cached = json.loads(services.store.get(cache_key))
        return {**view, "status": "ok", "kind": cached["kind"], "features": cached["features"]}
    return {**view, **_week_outcome(services.store, record)}


def _week_outcome(store: ObjectStore, record: DocumentRecord) -> dict:
    try:
        results = read_week_features(store, week_start_of(record.created_at.date()))
    except ObjectNotFound:
        return {}
    for result in results:
        if result.document_id == record.document_id and result.status == "failed":
            return {"status": "failed", "stage": result.stage, "reason": result.reason}
    return {}


def format_document(view: dict) -> str:
    record = view["record"]
    lines = [
        f"{key}: {record[key]}"
        for key in (
            "document_id",
            "customer_id",
            "file_location",
            "content_type",
            "created_at",
            "size",
            "trial_id",
        )
    ]
    lines.append(f"status: {view['status']}")
    if view.get("reason"):
        lines.append(f"failed at {view['stage']}: {view['reason']}")
    features = view.get("features") or {}
    for name, value in features.items():
        if name in ("ocr_text", "excerpt", "document_type"):
            continue
        lines.append(f"{name}: {value}")
    lines += _document_type_lines(features.get("document_type"))
    label = view.get("label")
    if label:
        lines.append(f"label: {label['type']} (by {label['by']}, {label['at']})")
    text = features.get("ocr_text") or features.get("excerpt")
    if text:
        lines += ["", text]
    return "\n".join(lines)


def _document_type_lines(found: object) -> list[str]:
    if not isinstance(found, dict):
        return []
    if found.get("decided_by") == "label":
        return _labeled_type_lines(found)
    lines = [
        f"document type: {found.get('label')} ({found.get('source')}, "
        f"confidence {found.get('confidence')}, score {found.get('score')})",
        f"document type cues: {', '.join(found.get('cues') or []) or '(none)'}",
    ]
    model, rules = found.get("model"), found.get("rules")
    if isinstance(model, dict):
        lines.append(
            f"document type model: {model.get('type')} (probability {model.get('probability')},"
            f" version {model.get('version')})"
        )
    if isinstance(rules, dict):  # the model decided: what the rules would have said
        lines.append(f"document type rules: {rules.get('type')} (score {rules.get('score')})")
    if found.get("needs_review"):
        lines.append(f"document type needs review: {found['needs_review']}")
    return lines


def _labeled_type_lines(found: dict) -> list[str]:
    lines = [f"document type: {found.get('label')} (decided_by: label, {found.get('reason')})"]
    classified = found.get("classified")
    if isinstance(classified, dict):
        lines.append(
            f"document type classifier said: {classified.get('label')}"
            f" ({classified.get('source')}, confidence {classified.get('confidence')})"
        )
    return lines
