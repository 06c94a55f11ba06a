"""GET /metrics: denied by default, a bearer token or a port of its own; values from the
database."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, time, timedelta

import pytest
from dagster import DagsterInstance, materialize
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.api.metrics import serve_on_port
from report_pipeline.appdb.store import AppStore
from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline.settings import load_settings
from report_pipeline.tooling.samples import broken_png
from report_pipeline_tests.api.conftest import JWT, RecordingLauncher, auth, past_week

TOKEN = "metrics-token-" + "m" * 30


def _client(settings, store: AppStore | None = None) -> TestClient:
    config = ApiConfig(
        jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
    )
    store = store or AppStore(settings.database_url)
    store.upgrade()
    return TestClient(
        create_app(settings, config=config, store=store, launcher=RecordingLauncher()),
        raise_server_exceptions=False,
    )


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(client: TestClient) -> dict[tuple[str, tuple], float]:
    reply = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    return _samples(reply.text)


def test_metrics_are_refused_without_a_configured_token(settings) -> None:
    client = _client(settings)
    reply = client.get("/metrics")
    assert reply.status_code == 403
    assert "REPORT_PIPELINE_METRICS_TOKEN" in reply.json()["message"]
    # An admin's JWT is no metrics credential either: scraping is not a role.
    assert client.get("/metrics", headers=auth("admin")).status_code == 403


def test_only_the_metrics_token_opens_metrics(settings, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_METRICS_TOKEN", TOKEN)
    client = _client(load_settings())
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers=auth("admin")).status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/reports/12345", headers=auth("operator")).status_code == 404
    assert client.get("/api/reports").status_code == 401
    samples = _scrape(client)
    count = "report_pipeline_api_requests_total"
    assert samples[(count, (("method", "GET"), ("route", "/healthz"), ("status", "200")))] == 1
    assert (
        samples[
            (count, (("method", "GET"), ("route", "/api/reports/{report_id}"), ("status", "404")))
        ]
        == 1
    )
    assert samples[(count, (("method", "GET"), ("route", "/api/reports"), ("status", "401")))] == 1
    assert samples[(count, (("method", "GET"), ("route", "/metrics"), ("status", "401")))] == 3
    assert (
        samples[
            (
                "report_pipeline_api_request_duration_seconds_count",
                (("method", "GET"), ("route", "/healthz")),
            )
        ]
        == 1
    )
    assert samples[("report_pipeline_app_database_up", ())] == 1


def test_a_port_of_its_own_serves_metrics_without_a_token(settings) -> None:
    client = _client(settings)
    server, thread = serve_on_port(client.app.state.metrics, 0, host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        with urllib.request.urlopen(url) as reply:
            samples = _samples(reply.read().decode())
    finally:
        server.shutdown()
        thread.join()
    assert samples[("report_pipeline_app_database_up", ())] == 1
    assert samples[("report_pipeline_last_closed_week_reported", ())] == 0  # nothing ran yet


@pytest.mark.slow
def test_a_scrape_after_a_week_matches_the_app_database(settings, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_METRICS_TOKEN", TOKEN)
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "0.5")
    settings = load_settings()
    week = past_week(1)  # the last closed week, as the schedule would run it
    services = open_services(settings)
    at = datetime.combine(week + timedelta(days=1), time(9), UTC)
    for number in range(3):
        store_document(
            services,
            f"Visit {number}: stable.".encode(),
            f"n{number}.txt",
            "text/plain",
            "acme",
            at,
        )
    store_document(services, broken_png(), "broken.png", "image/png", "acme", at)
    services.app.subscribe("ann@example.com")
    services.app.subscribe("bob@example.com")
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [document_manifest, document_features, weekly_report, email_deliveries],
            partition_key=week.isoformat(),
            instance=instance,
            resources=build_resources(settings),
        )
    assert result.success

    client = _client(settings, services.app)
    samples = _scrape(client)
    report = services.app.latest_report(week)
    deliveries = services.app.deliveries(report.id)
    monday = datetime.combine(week, time.min, UTC).timestamp()
    label = (("week", week.isoformat()),)
    assert samples[("report_pipeline_last_closed_week_reported", ())] == 1
    assert samples[("report_pipeline_last_closed_week_start_timestamp_seconds", ())] == monday
    assert samples[("report_pipeline_last_closed_week_deadline_timestamp_seconds", ())] == (
        monday + 7 * 86400 + settings.deadline_hours * 3600
    )
    assert samples[("report_pipeline_last_succeeded_week_start_timestamp_seconds", ())] == monday
    assert samples[("report_pipeline_last_week_documents", label)] == report.documents_total == 4
    assert (
        samples[("report_pipeline_last_week_documents_failed", label)]
        == (report.documents_failed)
        == 1
    )
    assert samples[("report_pipeline_last_week_failed_share", label)] == 0.25
    assert samples[("report_pipeline_max_failed_share", ())] == 0.5
    assert samples[("report_pipeline_reports", (("state", "succeeded"),))] == 1
    assert samples[("report_pipeline_reports_held", ())] == 0
    for status in ("pending", "sending", "sent", "failed", "dead", "suppressed"):
        expected = sum(1 for d in deliveries if d.status == status)
        assert samples[("report_pipeline_deliveries", (("status", status),))] == expected
    assert samples[("report_pipeline_deliveries", (("status", "sent"),))] == 2
    assert samples[("report_pipeline_oldest_open_delivery_age_seconds", ())] == 0
