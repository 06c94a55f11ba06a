"""Bad input gets a 4xx with the same JSON shape, never a 500 or a traceback."""

from __future__ import annotations

import pytest

from report_pipeline_tests.api.conftest import auth


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["message"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and 'File "' not in response.text


@pytest.mark.parametrize(
    "path", ["/api/reports", "/api/reports/registered-users", "/api/reports/emails"]
)
def test_malformed_json_is_400(client, path: str) -> None:
    response = client.post(
        path, content=b'{"week": ', headers={**auth("admin"), "content-type": "application/json"}
    )
    _assert_error(response, 400, "malformed_json")


def test_validation_cursor_limit_and_unknown_ids(client) -> None:
    admin = auth("admin")
    _assert_error(
        client.post("/api/reports", json={"weak": "2024-03-04"}, headers=admin),
        422,
        "invalid_request",
    )
    _assert_error(
        client.post("/api/reports", json=["2024-03-04"], headers=admin), 422, "invalid_request"
    )
    _assert_error(client.get("/api/reports?limit=501", headers=admin), 422, "invalid_request")
    _assert_error(client.get("/api/reports?limit=0", headers=admin), 422, "invalid_request")
    _assert_error(client.get("/api/reports?cursor=%%%", headers=admin), 400, "bad_cursor")
    _assert_error(client.get("/api/reports?cursor=eyJrIjoxfQ", headers=admin), 400, "bad_cursor")
    _assert_error(client.get("/api/reports/abc", headers=admin), 422, "invalid_request")
    _assert_error(client.get("/api/reports/123456", headers=admin), 404, "not_found")
    _assert_error(
        client.get("/api/reports/99999999999999999999", headers=admin), 422, "invalid_request"
    )
    _assert_error(client.get("/api/nowhere", headers=admin), 404, "not_found")
    _assert_error(client.put("/api/reports", headers=admin), 405, "method_not_allowed")
    _assert_error(
        client.post(
            "/api/reports/registered-users",
            json={"email": "a@example.com", "name": "a\x00b"},
            headers=admin,
        ),
        422,
        "invalid_request",
    )


def test_a_cursor_only_works_for_its_own_listing(client) -> None:
    store = client.app.state.context.store
    for n in range(3):
        store.subscribe(f"u{n}@example.com")
    page = client.get("/api/reports/registered-users?limit=1", headers=auth("admin")).json()
    assert page["next_cursor"]
    _assert_error(
        client.get(f"/api/reports?cursor={page['next_cursor']}", headers=auth("admin")),
        400,
        "bad_cursor",
    )
    _assert_error(
        client.get(
            "/api/reports/registered-users",
            params={"cursor": page["next_cursor"], "active": "false"},
            headers=auth("admin"),
        ),
        400,
        "bad_cursor",
    )


def test_a_broken_database_is_503_not_500(client) -> None:
    context = client.app.state.context
    context.store.engine.dispose()
    original = context.store.url
    from report_pipeline.appdb.store import AppStore

    context.store = AppStore("postgresql+psycopg2://nobody@127.0.0.1:1/none")
    try:
        response = client.get("/api/reports", headers=auth("analyst"))
        assert response.status_code == 503
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
    finally:
        context.store = AppStore(original)
