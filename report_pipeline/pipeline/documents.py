"""Adding and inspecting documents outside a run (used by the CLI and the demo)."""

from __future__ import annotations

import json
import mimetypes
import re
import uuid
from datetime import datetime
from pathlib import Path

from report_pipeline.pipeline.features import cache_key_for, read_week_features
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore, sha256_of
from report_pipeline.resources.connections import Services
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
    return EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or (
        "application/octet-stream"
    )


def object_key_for(customer_id: str, document_id: str, filename: str, created_at: datetime) -> str:
    """`customers/<id>/<yyyy>/<mm>/<doc id>/<safe name>`: the customer is in the key."""
    safe = _UNSAFE_NAME_CHARS.sub("_", filename).strip("._") or "document"
    return f"customers/{customer_id}/{created_at:%Y/%m}/{document_id}/{safe}"


def store_document(
    services: Services, data: bytes, filename: str, content_type: str, customer_id: str,
    created_at: datetime, document_id: str | None = None, trial_id: str | None = None,
) -> DocumentRecord:
    """Object first, catalog record second: the catalog never points at nothing."""
    document_id = document_id or uuid.uuid4().hex
    key = object_key_for(validate_customer(customer_id), document_id, filename, created_at)
    services.store.put(key, data, content_type)
    record = DocumentRecord(document_id, key, content_type, created_at, len(data), trial_id)
    services.catalog.add(record)
    return record


def add_document(
    services: Services, path: Path, customer_id: str, created_at: datetime
) -> DocumentRecord:
    return store_document(
        services, path.read_bytes(), path.name, content_type_of(path), customer_id, created_at
    )


def describe_document(services: Services, document_id: str) -> dict | None:
    """The record plus its features (or failure), as far as the pipeline got."""
    record = services.catalog.get(document_id)
    if record is None:
        return None
    view: dict = {"record": record.to_json(), "status": "not processed", "features": None}
    try:
        entry = ManifestEntry(record, sha256_of(services.store, record.file_location))
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
    lines = [f"{key}: {record[key]}" for key in (
        "document_id", "customer_id", "file_location", "content_type", "created_at", "size",
        "trial_id",
    )]
    lines.append(f"status: {view['status']}")
    if view.get("reason"):
        lines.append(f"failed at {view['stage']}: {view['reason']}")
    features = view.get("features") or {}
    for name, value in features.items():
        if name in ("ocr_text", "excerpt"):
            continue
        lines.append(f"{name}: {value}")
    text = features.get("ocr_text") or features.get("excerpt")
    if text:
        lines += ["", text]
    return "\n".join(lines)
