"""Item 15: nosniff, no-store, no Host reflection, trusted proxies only, no CDN docs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.settings import SettingsError, load_settings
from report_pipeline_tests.api.conftest import auth


def _client_addresses(store) -> list[str]:
    with store.session() as session:
        return [
            row.client_address
            for row in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_personal_data_responses_are_not_sniffed_or_cached(api) -> None:
    api.store.subscribe("ann@example.com")
    with api.client() as client:
        for response in (
            client.get("/api/reports/registered-users", headers=auth("admin")),
            client.get("/api/audit"),
            client.get("/healthz"),
            client.get("/unsubscribe", params={"token": "x"}),
        ):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["cache-control"] == "no-store"


def test_no_redirect_echoes_the_host_header(api) -> None:
    with api.client(follow_redirects=False) as client:
        for path in ("/api/reports/", "/api/audit/", "/healthz/", "/api/documents/"):
            response = client.get(path, headers={**auth("admin"), "Host": "evil.example"})
            assert "evil.example" not in response.headers.get("location", ""), path
            assert response.status_code in (401, 403, 404), path


def test_forwarded_for_from_an_untrusted_client_is_ignored(api) -> None:
    with api.client() as client:
        client.post(
            "/api/reports", json={"week": "2024-03-04"}, headers={"X-Forwarded-For": "203.0.113.9"}
        )
    assert _client_addresses(api.store) == ["127.0.0.1"]


def test_forwarded_for_from_a_trusted_proxy_is_used(start_api) -> None:
    running = start_api(REPORT_PIPELINE_API_TRUSTED_PROXIES="127.0.0.1/32, 10.0.0.0/8")
    with running.client() as client:
        # The caller's own claim (198.51.100.1) is left of what the proxy saw.
        client.post(
            "/api/reports",
            json={"week": "2024-03-04"},
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.1.2.3"},
        )
    assert _client_addresses(running.store) == ["203.0.113.9"]


def test_bad_trusted_proxy_setting_names_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_API_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_API_TRUSTED_PROXIES"):
        load_settings()


def test_docs_pages_are_off_by_default_and_schema_stays(api, start_api) -> None:
    with api.client() as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").status_code == 200
    with_docs = start_api(REPORT_PIPELINE_API_DOCS="1")
    with with_docs.client() as client:
        assert client.get("/docs").status_code == 200
