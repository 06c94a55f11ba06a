"""`email_deliveries` with REPORT_PIPELINE_SENDERS=workers: the run snapshots the outbox, the
sender workers send, the run waits for them and records the same counts as when it sends."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from dagster import DagsterInstance, materialize

from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.delivery.worker import WorkerSettings
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.sender_workers import run_sender_workers
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.configurable import MailerResource
from report_pipeline.resources.connections import open_services
from report_pipeline.settings import load_settings

WEEK = date(2024, 3, 4)
ASSETS = [document_manifest, document_features, weekly_report, email_deliveries]
READERS = ("ann@example.com", "bob@example.com", "cid@example.com")


def test_the_email_run_waits_for_the_workers_and_records_the_same_counts(
    settings, smtp_server, monkeypatch
) -> None:
    services = open_services(settings)
    store_document(
        services,
        b"Visit note: stable.",
        "note.txt",
        "text/plain",
        "acme",
        datetime(2024, 3, 5, 9, tzinfo=UTC),
    )
    for address in READERS:
        services.app.subscribe(address)
    for name, value in {
        "REPORT_PIPELINE_SENDERS": "workers",
        "REPORT_PIPELINE_MAILER": "smtp",
        "REPORT_PIPELINE_SMTP_HOST": smtp_server.host,
        "REPORT_PIPELINE_SMTP_PORT": str(smtp_server.port),
        "REPORT_PIPELINE_SMTP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(name, value)
    stop = threading.Event()
    worker = threading.Thread(
        target=run_sender_workers,
        args=(load_settings(), 2, stop, WorkerSettings(poll_seconds=0.1)),
    )
    worker.start()
    # The run's own mailer points nowhere: in workers mode it must not send itself.
    resources = {
        **build_resources(load_settings()),
        "mailer": MailerResource(kind="smtp", smtp_host="127.0.0.1", smtp_port=9),
    }
    try:
        with DagsterInstance.get() as instance:
            result = materialize(
                ASSETS, partition_key=WEEK.isoformat(), instance=instance, resources=resources
            )
    finally:
        stop.set()
        worker.join(30)
    assert result.success
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "email_deliveries"
    ]
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert {
        k: metadata[k]
        for k in ("run_sent", "run_skipped", "run_failed", "week_sent", "week_pending", "week_dead")
    } == {
        "run_sent": 3,
        "run_skipped": 0,
        "run_failed": 0,
        "week_sent": 3,
        "week_pending": 0,
        "week_dead": 0,
    }
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == list(READERS)
