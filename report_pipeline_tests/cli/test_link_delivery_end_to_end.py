"""Link-only delivery through a whole week: no PDF in any email, a working expiring link.

Embedded default: the link is the API's download endpoint with the recipient's
token (audited per download). S3 (moto server): the link is a presigned URL.
"""

from __future__ import annotations

import email
import json
import re
import time
from email import policy
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.appdb.store import AppStore
from report_pipeline.settings import load_settings
from report_pipeline.storage.catalog import EmbeddedCatalog
from report_pipeline_tests.api.conftest import JWT, auth

LINK = re.compile(r"Download the full report: (\S+)")


def _week(cli, tmp_path: Path) -> list[email.message.EmailMessage]:
    cli.add_note(tmp_path, "Patient seen for chest pain; blood pressure normal.")
    assert cli("subscribers", "add", "ann@example.com", "bob@example.com").returncode == 0
    run = cli("run", "--week", "2024-03-04", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["emails_sent"] == 2
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((cli.home / "outbox").glob("*.eml"))
    ]
    for message in messages:  # no PDF travels, whatever its name
        assert not any(
            part.get_content_type() == "application/pdf" or part.get_filename()
            for part in message.walk()
        )
    return messages


def _link(message: email.message.EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    assert "This link expires on" in text
    return LINK.search(text)[1]


@pytest.mark.slow
def test_embedded_link_mode_mails_per_recipient_api_links(cli, tmp_path, monkeypatch) -> None:
    cli.env["REPORT_PIPELINE_DELIVERY_MODE"] = "link"
    cli.env["REPORT_PIPELINE_PUBLIC_URL"] = "https://reports.example.test"
    messages = _week(cli, tmp_path)
    links = {str(m["To"]): _link(m) for m in messages}
    assert len(set(links.values())) == 2  # each recipient has their own token
    assert all(u.startswith("https://reports.example.test/api/reports/") for u in links.values())

    monkeypatch.setenv("REPORT_PIPELINE_HOME", str(cli.home))
    settings = load_settings()
    store = AppStore(settings.database_url)
    app = create_app(
        settings,
        config=ApiConfig(
            jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
        ),
        store=store,
        catalog=EmbeddedCatalog(Path(settings.catalog_path)),
    )
    with TestClient(app) as client:
        for url in links.values():
            parts = urlsplit(url)
            got = client.get(f"{parts.path}?{parts.query}")
            assert got.status_code == 200 and got.content.startswith(b"%PDF")
        rows = client.get("/api/audit?limit=50", headers=auth("admin")).json()["items"]
    actors = sorted(r["actor"] for r in rows if r["action"].endswith("/download"))
    assert actors == ["link:ann@example.com", "link:bob@example.com"]


@pytest.mark.slow
def test_s3_link_mode_mails_a_presigned_url(cli, tmp_path, s3_endpoint) -> None:
    from report_pipeline_tests.services import create_bucket

    bucket = f"links-{int(time.time() * 1000)}"
    create_bucket(s3_endpoint, bucket)
    cli.env.update(
        {
            "REPORT_PIPELINE_OBJECT_STORE": "s3",
            "REPORT_PIPELINE_S3_BUCKET": bucket,
            "REPORT_PIPELINE_S3_ENDPOINT_URL": s3_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "REPORT_PIPELINE_DOWNLOAD_LINK_TTL": "1d",
        }
    )
    cli.env.pop("REPORT_PIPELINE_DELIVERY_MODE", None)  # S3 defaults to link mode
    messages = _week(cli, tmp_path)
    url = _link(messages[0])
    assert url.startswith(f"{s3_endpoint}/{bucket}/reports/")
    query = dict(parse_qsl(urlsplit(url).query))
    lifetime = (
        int(query["X-Amz-Expires"])
        if "X-Amz-Expires" in query
        else int(query["Expires"]) - time.time()
    )
    assert 86_000 < lifetime <= 86_400  # REPORT_PIPELINE_DOWNLOAD_LINK_TTL=1d
    got = httpx.get(url)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
