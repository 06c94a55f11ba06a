"""The week the transient-fault tests run: notes, one scanned page, one broken image, on
S3 (moto) with a PostgreSQL app database; and what a run of it leaves, for comparing a
week run through a fault with the clean one."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, materialize

from report_pipeline.appdb.store import AppStore
from report_pipeline.defs.checks import asset_checks
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import Services, open_services
from report_pipeline.settings import load_settings
from report_pipeline.tooling.samples import broken_png, scanned_page_png

WEEK = date(2024, 3, 4)
AT = datetime(2024, 3, 5, 9, tzinfo=UTC)
NOTES = 6
BUCKET = "faults"
UNSET = ("REPORT_PIPELINE_CATALOG", "REPORT_PIPELINE_MAILER")


def seed_fault_week(services: Services, notes: int = NOTES) -> None:
    for number in range(notes):
        store_document(
            services,
            f"Visit {number}: stable, no adverse events.".encode(),
            f"note-{number}.txt",
            "text/plain",
            "acme",
            AT,
            document_id=f"n{number}",
        )
    store_document(
        services,
        scanned_page_png("Randomized trial enrollment completed"),
        "scan.png",
        "image/png",
        "globex",
        AT,
        document_id="scan",
    )
    store_document(
        services, broken_png(), "broken.png", "image/png", "acme", AT, document_id="broken"
    )


def week_environment(home: Path, s3_endpoint: str, database_url: str) -> dict[str, str]:
    """A week of its own: state directory, S3 prefix and app database."""
    return {
        "REPORT_PIPELINE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "REPORT_PIPELINE_OBJECT_STORE": "s3",
        "REPORT_PIPELINE_S3_BUCKET": BUCKET,
        "REPORT_PIPELINE_S3_PREFIX": home.name,
        "REPORT_PIPELINE_S3_ENDPOINT_URL": s3_endpoint,
        "REPORT_PIPELINE_S3_MAX_ATTEMPTS": "10",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "REPORT_PIPELINE_MAX_FAILED_SHARE": "0.5",
        "REPORT_PIPELINE_DATABASE_URL": database_url,
    }


def run_fault_week(
    clean: dict[str, str],
    faulty: dict[str, str] | None = None,
    arm: Callable[[bool], None] = lambda armed: None,
) -> tuple[dict, list]:
    """Seed through `clean`, run the week through `faulty` (default: `clean`), with the
    faults armed only for the run; the outcome is read back through `clean`."""
    with pytest.MonkeyPatch.context() as patch:
        _apply(patch, clean)
        AppStore(clean["REPORT_PIPELINE_DATABASE_URL"]).upgrade()  # the deployment migrates
        seed_fault_week(open_services(load_settings()))
        _apply(patch, faulty or clean)  # resources read endpoint and URL from here
        arm(True)
        try:
            with DagsterInstance.ephemeral() as instance:
                result = materialize(
                    [document_manifest, document_features, weekly_report, *asset_checks],
                    partition_key=WEEK.isoformat(),
                    instance=instance,
                    resources=build_resources(load_settings()),
                )
        finally:
            arm(False)
        assert result.success
        _apply(patch, clean)
        outcome = _outcome(open_services(load_settings()))
    retries = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
    return outcome, retries


def _apply(patch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in UNSET:
        patch.delenv(name, raising=False)
    for name, value in env.items():
        patch.setenv(name, value)


def _outcome(services: Services) -> dict:
    features = json.loads(services.store.get(f"features/weeks/{WEEK}/features.json"))
    published = json.loads(services.store.get(f"reports/{WEEK}/manifest.json"))
    report = services.app.latest_report(WEEK)
    return {
        "results": sorted(
            (
                {k: v for k, v in r.items() if k not in ("seconds", "cached")}
                for r in features["results"]
            ),
            key=lambda r: r["document_id"],
        ),
        "summary": published["summary"],
        "documents": published["documents"],
        "row": (report.state, report.documents_total, report.documents_failed, report.hold_reason),
    }
