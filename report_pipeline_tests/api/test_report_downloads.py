"""A report PDF by a recipient's emailed link: token only, audited, 410 once expired."""

from __future__ import annotations

import time

from report_pipeline.appdb.store import ReportResult
from report_pipeline.delivery.links import DownloadLinks, DownloadSigner, download_secret
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.api.conftest import WEEK, auth


def _report_with_pdf(client) -> int:
    context = client.app.state.context
    LocalObjectStore(context.settings.objects_dir).put(
        "reports/2024-03-04/weekly-report.pdf", b"%PDF-1.4 report"
    )
    row = context.store.record_report(
        ReportResult(WEEK, "succeeded", pdf_key="reports/2024-03-04/weekly-report.pdf")
    )
    return row.id


def _audit(client) -> list[dict]:
    return client.get("/api/audit?limit=50", headers=auth("admin")).json()["items"]


def test_download_by_link_is_audited_per_download(sqlite_client) -> None:
    client = sqlite_client
    report_id = _report_with_pdf(client)
    signer = DownloadSigner(download_secret(client.app.state.context.settings.home), 3600)
    url = DownloadLinks("http://testserver", signer, report_id).url_for("ann@example.com")
    for _ in range(2):
        got = client.get(url.removeprefix("http://testserver"))
        assert got.status_code == 200 and got.content == b"%PDF-1.4 report"
        assert got.headers["content-type"] == "application/pdf"
    rows = [r for r in _audit(client) if r["action"].endswith("/download")]
    assert [(r["actor"], r["outcome"], r["status_code"], r["target"]) for r in rows] == [
        ("link:ann@example.com", "success", 200, f"report:{report_id} download")
    ] * 2


def test_expired_link_is_gone_and_forged_or_foreign_ones_are_refused(sqlite_client) -> None:
    client = sqlite_client
    report_id = _report_with_pdf(client)
    signer = DownloadSigner(download_secret(client.app.state.context.settings.home), 60)
    path = f"/api/reports/{report_id}/download"
    old = signer.token_for(report_id, "ann@example.com", now=time.time() - 120)
    assert client.get(path, params={"token": old}).status_code == 410
    forged = DownloadSigner("another-secret-" + "y" * 40).token_for(report_id, "eve@example.com")
    assert client.get(path, params={"token": forged}).status_code == 403
    other = signer.token_for(report_id + 1, "ann@example.com")
    assert client.get(path, params={"token": other}).status_code == 403
    assert client.get(path).status_code == 422
    outcomes = [
        (r["status_code"], r["outcome"])
        for r in _audit(client)
        if r["action"].endswith("/download")
    ]
    assert sorted(outcomes) == [(403, "denied"), (403, "denied"), (410, "rejected")]


def test_handing_out_a_presigned_link_is_audited(
    settings, sqlite_store, launcher, catalog, s3_endpoint
) -> None:
    import uuid

    import boto3
    import httpx
    from fastapi.testclient import TestClient

    from report_pipeline.api.app import create_app
    from report_pipeline.api.config import ApiConfig
    from report_pipeline.storage.object_store import S3ObjectStore
    from report_pipeline_tests.api.conftest import JWT

    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"dl-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    store = S3ObjectStore(s3, bucket)
    store.put("reports/2024-03-04/weekly-report.pdf", b"%PDF-1.4 s3")
    row = sqlite_store.record_report(
        ReportResult(WEEK, "succeeded", pdf_key="reports/2024-03-04/weekly-report.pdf")
    )
    config = ApiConfig(
        jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
    )
    app = create_app(
        settings,
        config=config,
        store=sqlite_store,
        launcher=launcher,
        catalog=catalog,
        object_store=store,
    )
    with TestClient(app) as client:
        url = client.get(f"/api/reports/{row.id}", headers=auth("analyst")).json()["download_url"]
        assert httpx.get(url).content == b"%PDF-1.4 s3"
        rows = _audit(client)
    assert (rows[0]["action"], rows[0]["actor"], rows[0]["target"]) == (
        "GET /api/reports/{report_id}",
        "user-analyst",
        f"report download links: {row.id}",
    )
