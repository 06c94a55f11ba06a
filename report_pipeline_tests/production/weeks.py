"""A small week of documents, the same for every production test."""

from __future__ import annotations

from datetime import UTC, date, datetime

from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.features import read_week_features
from report_pipeline.pipeline.published import read_published_manifest
from report_pipeline.resources.connections import Services
from report_pipeline.storage.catalog import MongoCatalog
from report_pipeline.storage.object_store import ObjectStore
from report_pipeline.tooling.samples import broken_png, scanned_page_png

WEEK = date(2024, 3, 4)
WEEK_KEY = WEEK.isoformat()
REPORT_ASSETS = [document_manifest, document_features, weekly_report]
ALL_ASSETS = [*REPORT_ASSETS, email_deliveries]
SUBSCRIBERS = ("ann@example.com", "bob@example.com")


def seed_week(services: Services) -> None:
    """Four notes, one scan, one broken image in the week; one note after it."""
    if isinstance(services.catalog, MongoCatalog):
        services.catalog.ensure_indexes()
    at = datetime(2024, 3, 5, 9, tzinfo=UTC)
    for number, customer in enumerate(["acme", "acme", "globex", "initech"]):
        store_document(
            services,
            f"Patient visit {number}: dosage stable, no adverse events.".encode(),
            f"note-{number}.txt",
            "text/plain",
            customer,
            at,
            document_id=f"note-{number}",
        )
    store_document(
        services,
        scanned_page_png("Randomized trial enrollment completed today"),
        "scan.png",
        "image/png",
        "globex",
        at,
        document_id="scan",
    )
    store_document(
        services, broken_png(), "broken.png", "image/png", "acme", at, document_id="broken"
    )
    store_document(
        services,
        b"late note",
        "late.txt",
        "text/plain",
        "acme",
        datetime(2024, 3, 11, tzinfo=UTC),
        document_id="late",
    )
    for address in SUBSCRIBERS:
        services.app.subscribe(address)


def report_content(store: ObjectStore) -> dict:
    """What a reader of the week's report gets, without run-specific times."""
    summary = read_published_manifest(store, WEEK)["summary"]
    features = sorted(
        (r.document_id, r.status, r.kind, r.stage, r.reason, repr(sorted(r.features.items())))
        for r in read_week_features(store, WEEK)
    )
    return {"summary": _without_times(summary), "features": features}


def _without_times(value):
    if isinstance(value, dict):
        return {
            k: _without_times(v)
            for k, v in value.items()
            if "seconds" not in k and "generated" not in k
        }
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value
