"""A week run again keeps the PDF that was mailed: retrievable byte for byte, its sha256
on every delivery row, and listed among the report's versions by the API (issue 19)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from dagster import DagsterInstance, materialize

from report_pipeline.appdb.deliveries import SENT
from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.configurable import MailerResource
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.api.conftest import RecordingLauncher, auth, build_client
from report_pipeline_tests.delivery.tls_ca import make_test_ca

WEEK = date(2024, 3, 4)
ASSETS = [document_manifest, document_features, weekly_report, email_deliveries]


def test_rerun_keeps_the_mailed_pdf_and_its_sha256_matches_the_delivery_rows(
    settings, smtp_server_factory, tmp_path
) -> None:
    ca = make_test_ca(tmp_path / "ca")
    server = smtp_server_factory(tls_context=ca.server_context(), require_starttls=True)
    services = open_services(settings)
    store_document(
        services,
        b"Visit note: stable.",
        "note.txt",
        "text/plain",
        "acme",
        datetime(2024, 3, 5, 9, tzinfo=UTC),
    )
    for address in ("ann@example.com", "bob@example.com"):
        services.app.subscribe(address)
    resources = {
        **build_resources(settings),
        "mailer": MailerResource(
            kind="smtp",
            smtp_host=server.host,
            smtp_port=server.port,
            smtp_security="starttls",
            smtp_ca_file=str(ca.ca_file),
        ),
    }

    def run_week() -> None:
        with DagsterInstance.get() as instance:
            result = materialize(
                ASSETS,
                partition_key=WEEK.isoformat(),
                instance=instance,
                resources=resources,
                raise_on_error=False,
            )
        assert result.success

    run_week()
    report = services.app.latest_report(WEEK)
    mailed_sha, mailed_key = report.pdf_sha256, report.pdf_key
    [attachment] = list(server.messages[0].message.iter_attachments())
    assert hashlib.sha256(attachment.get_payload(decode=True)).hexdigest() == mailed_sha

    run_week()  # unchanged week: same bytes, same version, nobody mailed again
    assert services.app.latest_report(WEEK).pdf_sha256 == mailed_sha
    assert len(server.messages) == 2

    store_document(
        services,
        b"Late note: dosage changed.",
        "late.txt",
        "text/plain",
        "acme",
        datetime(2024, 3, 6, 9, tzinfo=UTC),
    )
    run_week()  # new data: a new version becomes the latest
    latest = services.app.latest_report(WEEK)
    assert latest.id == report.id and latest.pdf_sha256 != mailed_sha
    assert len(server.messages) == 2  # the report was already sent to both

    kept = services.store.get(mailed_key)
    assert hashlib.sha256(kept).hexdigest() == mailed_sha
    rows = services.app.deliveries(report.id)
    assert {(d.status, d.pdf_sha256) for d in rows} == {(SENT, mailed_sha)}

    with build_client(settings, services.app, RecordingLauncher(), None) as client:
        answer = client.get(f"/api/reports/{report.id}", headers=auth("analyst"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["pdf_sha256"] == latest.pdf_sha256
    assert [(v["pdf_sha256"], v["latest"], v["deliveries_sent"]) for v in body["versions"]] == [
        (mailed_sha, False, 2),
        (latest.pdf_sha256, True, 0),
    ]
    assert body["versions"][0]["pdf_key"] == mailed_key
