"""Retention: delete what holds patient data once it is older than the policy allows.

Cached features (OCR text), week manifests, report PDFs and their manifests in
the object store, and the outbox's .eml files are deleted when their last
modification is older than REPORT_PIPELINE_RETENTION_DAYS (settings.PatientDataEnv;
default 400: a year of weekly reports and a margin for a late re-run). The audit log, the source
documents and the databases are never touched here. Age is the object's own
modification time, as an S3 lifecycle rule measures it, so this command and the
production lifecycle rule (README) delete the same objects.

Trained document-type models (classifier/models/, their vocabulary is made of
labeled documents' words) are kept by count, not age: the newest MODELS_KEPT
versions and always the one the pointer names, so a run never loses its model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from report_pipeline.classify import ModelError
from report_pipeline.pipeline.type_classifier import model_pointer, pointed_model_key
from report_pipeline.storage.object_store import LocalObjectStore, ObjectStore, S3ObjectStore

# Object-store prefixes under the policy; "documents" (the customers' uploads) is not one.
RETAINED_PREFIXES = ("features/", "manifests/", "reports/")
MODEL_PREFIX = "classifier/models/"
# The current model and the ones before it: going back to one needs no retraining.
MODELS_KEPT = 3


class RetentionError(ValueError):
    """A retention setting that cannot be applied (shown to the operator as is)."""


@dataclass(frozen=True)
class Expired:
    where: str  # "object" or "outbox"
    name: str  # object key or outbox file name
    modified: datetime


def expired_items(
    store: ObjectStore, outbox: Path | None, days: int, now: datetime | None = None
) -> list[Expired]:
    """Everything under the policy last modified more than `days` days before `now`."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    found = [
        Expired("object", key, moment)
        for key, moment in _objects(store, RETAINED_PREFIXES)
        if moment < cutoff
    ]
    found += expired_models(store)
    if outbox is not None and outbox.is_dir():
        found += [
            Expired("outbox", path.name, _mtime(path))
            for path in sorted(outbox.iterdir())
            if path.is_file() and path.suffix == ".eml" and _mtime(path) < cutoff
        ]
    return found


def expired_models(store: ObjectStore, kept: int = MODELS_KEPT) -> list[Expired]:
    """Type-model versions older than the newest ``kept``; never the current one."""
    try:
        pointer = model_pointer(store)
    except ModelError:
        return []  # which model is current is not known: delete none (the doctor says why)
    current = pointed_model_key(pointer) if pointer else None
    newest_first = sorted(
        _objects(store, (MODEL_PREFIX,)), key=lambda item: (item[1], item[0]), reverse=True
    )
    return [Expired("model", key, moment) for key, moment in newest_first[kept:] if key != current]


def apply_retention(
    store: ObjectStore,
    outbox: Path | None,
    days: int,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[Expired]:
    """Delete the expired items (unless `dry_run`) and return them; a second run finds none."""
    items = expired_items(store, outbox, days, now)
    if not dry_run:
        for item in items:
            if item.where == "outbox":
                (outbox / item.name).unlink(missing_ok=True)
            else:
                _delete(store, item.name)
    return items


def _objects(store: ObjectStore, prefixes: tuple[str, ...]) -> Iterator[tuple[str, datetime]]:
    if isinstance(store, LocalObjectStore):
        yield from _local_objects(store.root, prefixes)
    elif isinstance(store, S3ObjectStore):
        yield from _s3_objects(store, prefixes)
    else:
        raise RetentionError(f"retention cannot list a {type(store).__name__}")


def _local_objects(root: Path, prefixes: tuple[str, ...]) -> Iterator[tuple[str, datetime]]:
    for prefix in prefixes:
        base = root / prefix
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):  # a write in progress
                yield path.relative_to(root).as_posix(), _mtime(path)


def _s3_objects(store: S3ObjectStore, prefixes: tuple[str, ...]) -> Iterator[tuple[str, datetime]]:
    paginator = store.client.get_paginator("list_objects_v2")
    lead = f"{store.prefix}/" if store.prefix else ""
    for prefix in prefixes:
        for page in paginator.paginate(Bucket=store.bucket, Prefix=lead + prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(lead) :], item["LastModified"].astimezone(UTC)


def _delete(store: ObjectStore, key: str) -> None:
    if isinstance(store, S3ObjectStore):
        store.delete(key)
        return
    path = store.local_path(key)
    if path is not None:
        path.unlink(missing_ok=True)
        _prune_empty_dirs(path.parent, store.root)


def _prune_empty_dirs(directory: Path, root: Path) -> None:
    # Week folders emptied by retention would otherwise pile up forever.
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def format_items(items: list[Expired], dry_run: bool) -> str:
    """One line per item and a total, as the CLI prints them."""
    verb = "would delete" if dry_run else "deleted"
    lines = [
        f"{verb} {item.where} {item.name} (modified {item.modified:%Y-%m-%d})" for item in items
    ]
    lines.append(f"{len(items)} item(s) {verb}" if items else "nothing older than the policy")
    return "\n".join(lines)
