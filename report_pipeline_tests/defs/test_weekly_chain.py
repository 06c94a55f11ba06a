"""The four assets materialized for one week on a temporary Dagster instance."""

from __future__ import annotations

import base64
import email
import io
from datetime import UTC, date, datetime
from email import policy

import pytest
from dagster import DagsterInstance, materialize
from PIL import Image
from pypdf import PdfReader

from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline.tooling.samples import broken_png, scanned_page_png

WEEK = date(2024, 3, 4)
WEEK_KEY = WEEK.isoformat()
ASSETS = [document_manifest, document_features, weekly_report, email_deliveries]


@pytest.fixture
def seeded(settings, monkeypatch):
    # 1 of 5 documents fails on purpose; the completeness gate must let this week through.
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "0.5")
    services = open_services(settings)
    at = datetime(2024, 3, 5, 9, tzinfo=UTC)
    for number, customer in enumerate(["acme", "acme", "globex"]):
        store_document(
            services,
            f"Patient visit {number}: dosage stable, no adverse events.".encode(),
            f"note-{number}.txt",
            "text/plain",
            customer,
            at,
        )
    store_document(
        services,
        scanned_page_png("Randomized trial enrollment completed today"),
        "scan.png",
        "image/png",
        "globex",
        at,
    )
    store_document(services, broken_png(), "broken.png", "image/png", "acme", at)
    # Outside the week: must not be counted.
    store_document(
        services,
        b"late note",
        "late.txt",
        "text/plain",
        "acme",
        datetime(2024, 3, 11, tzinfo=UTC),
    )
    services.app.subscribe("ann@example.com", "Ann")
    services.app.subscribe("bob@example.com")
    return services


def _materialize(settings, instance, **run_config):
    return materialize(
        ASSETS,
        partition_key=WEEK_KEY,
        instance=instance,
        resources=build_resources(settings),
        run_config=run_config or None,
    )


def _metadata(result, asset_name: str) -> dict:
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == asset_name
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_one_week_becomes_one_pdf_and_one_email_per_subscriber(settings, seeded) -> None:
    with DagsterInstance.ephemeral() as instance:
        result = _materialize(settings, instance)
    assert result.success

    manifest = _metadata(result, "document_manifest")
    assert manifest["documents"] == 5
    assert manifest["by_customer"] == {"acme": 3, "globex": 2}

    features = _metadata(result, "document_features")
    assert (features["ok"], features["failed"]) == (4, 1)
    assert features["failed_by_stage"] == {"decode": 1}

    report = seeded.app.latest_report(WEEK)
    assert (report.state, report.documents_total, report.documents_failed) == ("succeeded", 5, 1)
    pdf = seeded.store.get(report.pdf_key)
    text = "\n".join(
        page.extract_text() for page in PdfReader(seeded.store.local_path(report.pdf_key)).pages
    )
    # Failures by id, never by file name (issue 13), with the cause in plain words.
    assert WEEK_KEY in text and "broken.png" not in text
    assert "The file is cut short" in text
    assert report.pdf_key == f"reports/{WEEK_KEY}/{report.pdf_sha256}/weekly-report.pdf"
    report_metadata = _metadata(result, "weekly_report")
    assert report_metadata["pages"] >= 2
    _assert_preview_is_a_small_png(report_metadata["preview"])
    assert "Need review" in report_metadata["summary"]

    emails = sorted(settings.outbox_dir.glob("*.eml"))
    assert len(emails) == 2
    for path in emails:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        [attachment] = list(message.iter_attachments())
        assert attachment.get_payload(decode=True) == pdf
        assert WEEK_KEY in message["Subject"]


def _assert_preview_is_a_small_png(markdown: str) -> None:
    # The UI shows the first page inline: markdown with a data: URL of a PNG.
    prefix = "data:image/png;base64,"
    assert markdown.startswith("![First page of the report")
    encoded = markdown.split(prefix, 1)[1].rstrip(")\n")
    png = base64.b64decode(encoded)
    assert png.startswith(b"\x89PNG")
    assert len(encoded) < 100_000  # kept small: it travels in the event log
    with Image.open(io.BytesIO(png)) as image:
        assert image.width >= 300 and image.height > image.width  # a portrait page


def test_a_second_run_reuses_features_and_mails_nobody_twice(settings, seeded) -> None:
    with DagsterInstance.ephemeral() as instance:
        _materialize(settings, instance)
        again = _materialize(settings, instance)
        assert _metadata(again, "document_features")["from_cache"] == 4
        # The asset page shows the latest materialization: it must not read "nobody got it".
        latest = _metadata(again, "email_deliveries")
        assert (latest["run_sent"], latest["run_skipped"]) == (0, 2)
        assert {
            k: latest[k]
            for k in (
                "week_sent",
                "week_pending",
                "week_failed",
                "week_dead",
                "week_suppressed",
                "week_recipients",
            )
        } == {
            "week_sent": 2,
            "week_pending": 0,
            "week_failed": 0,
            "week_dead": 0,
            "week_suppressed": 0,
            "week_recipients": 2,
        }
        assert latest["status"].startswith("2 of 2 recipients sent so far")
        assert _metadata(again, "weekly_report")["state"] == "succeeded"

        seeded.app.subscribe("late@example.com")
        newcomer = _materialize(settings, instance)
        assert _metadata(newcomer, "email_deliveries")["run_sent"] == 1

        forced = _materialize(
            settings, instance, ops={"email_deliveries": {"config": {"force": True}}}
        )
        assert _metadata(forced, "email_deliveries")["run_sent"] == 3
    statuses = {d.email: d.status for d in seeded.app.deliveries(seeded.app.latest_report(WEEK).id)}
    assert statuses == {
        a: "sent" for a in ("ann@example.com", "bob@example.com", "late@example.com")
    }


def test_an_empty_week_still_renders_a_report(settings) -> None:
    services = open_services(settings)
    with DagsterInstance.ephemeral() as instance:
        result = _materialize(settings, instance)
    assert result.success
    assert services.app.latest_report(WEEK).documents_total == 0


def test_the_definitions_load() -> None:
    from dagster import Definitions

    from report_pipeline.definitions import defs

    Definitions.validate_loadable(defs)
    assert {job.name for job in defs.resolve_all_job_defs()} >= {"weekly_report_job", "email_job"}


def test_dagster_definitions_validate_passes(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "REPORT_PIPELINE_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-w",
            str(root / "workspace.yaml"),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_a_long_scanned_pdf_is_split_across_batches_and_joined(settings, monkeypatch) -> None:
    from report_pipeline.extraction import extract, ocr
    from report_pipeline.pipeline.features import read_week_features
    from report_pipeline_tests.extraction.pdf_files import scanned_pdf

    class FakeEngine:  # one fixed line per page: the test is the fan-out, not OCR
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            ones = [1, 1]
            return {"text": ["Mild", "rash"], "conf": [90, 70], "block_num": ones,
                    "par_num": ones, "line_num": ones}  # fmt: skip

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", FakeEngine)
    page = Image.open(io.BytesIO(scanned_page_png("Randomized trial enrollment")))
    fax = scanned_pdf(*[page] * 12, dpi=150)
    services = open_services(settings)
    at = datetime(2024, 3, 5, 9, tzinfo=UTC)
    store_document(services, fax, "fax.pdf", "application/pdf", "acme", at)
    store_document(services, b"visit note", "note.txt", "text/plain", "acme", at)
    batching = {"config": {"batch_size": 2, "workers": 2}}
    run_config = {"ops": {"document_features": {"ops": {"plan_feature_batches": batching}}}}
    with DagsterInstance.ephemeral() as instance:
        result = _materialize(settings, instance, **run_config)
    assert result.success
    features = _metadata(result, "document_features")
    assert (features["documents"], features["ok"], features["documents_split"]) == (2, 2, 1)
    assert features["batches"] == 4  # 12 pages: 3 ranges of 4 (at least 4 each), the note
    [joined] = [r for r in read_week_features(services.store, WEEK) if r.kind == "pdf"]
    parts_joined = dict(joined.features)
    assert parts_joined.pop("document_type")["version"]  # classified once joined, not per part
    assert parts_joined == extract(fax, "application/pdf", "fax.pdf")[1]
    assert (joined.features["pages"], joined.features["pages_ocr"]) == (12, 12)
