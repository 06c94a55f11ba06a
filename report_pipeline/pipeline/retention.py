"""Retention: delete what holds patient data once it is older than the policy allows.

Cached features (OCR text), week manifests, report PDFs and their manifests in
the object store, and the outbox's .eml files are deleted when their last
modification is older than REPORT_PIPELINE_RETENTION_DAYS (settings.PatientDataEnv;
default 400: a year of weekly reports and a margin for a late re-run). The audit log, the source
documents and the databases are never touched here. Age is the object's own
modification time, as an S3 lifecycle rule measures it, so this command and the
production lifecycle rule (README) delete the same objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from report_pipeline.storage.object_store import LocalObjectStore, ObjectStore, S3ObjectStore

# Object-store prefixes under the policy; "documents" (the customers' uploads) is not one.
RETAINED_PREFIXES = ("features/", "manifests/", "reports/")


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
    found = [Expired("object", key, moment) for key, moment in _objects(store) if moment < cutoff]
    if outbox is not None and outbox.is_dir():
        found += [
            Expired("outbox", path.name, _mtime(path))
            for path in sorted(outbox.iterdir())
            if path.is_file() and path.suffix == ".eml" and _mtime(path) < cutoff
        ]
    return found


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


def _objects(store: ObjectStore) -> Iterator[tuple[str, datetime]]:
    if isinstance(store, LocalObjectStore):
        yield from _local_objects(store.root)
    elif isinstance(store, S3ObjectStore):
        yield from _s3_objects(store)
    else:
        raise RetentionError(f"retention cannot list a {type(store).__name__}")


def _local_objects(root: Path) -> Iterator[tuple[str, datetime]]:
    for prefix in RETAINED_PREFIXES:
        base = root / prefix
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):  # a write in progress
                yield path.relative_to(root).as_posix(), _mtime(path)


def _s3_objects(store: S3ObjectStore) -> Iterator[tuple[str, datetime]]:
    paginator = store.client.get_paginator("list_objects_v2")
    lead = f"{store.prefix}/" if store.prefix else ""
    for prefix in RETAINED_PREFIXES:
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
