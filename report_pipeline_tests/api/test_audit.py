"""Audit rows for every mutating and every denied request; never a credential; append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from report_pipeline_tests.api.conftest import SECRET, auth, make_token


def _rows(client) -> list[dict]:
    return client.get("/api/audit?limit=500", headers=auth("admin")).json()["items"]


def test_mutations_and_denials_are_audited_reads_are_not(client) -> None:
    client.get("/api/reports", headers=auth("analyst"))  # allowed read: no row
    client.post(
        "/api/reports/registered-users",
        json={"email": "Ann@example.com"},
        headers={**auth("admin"), "X-Request-ID": "req-0001-abcd"},
    )
    client.get("/api/audit", headers=auth("operator"))  # denied read
    client.post("/api/reports", json={"week": "2024-03-04"})  # unauthenticated
    client.post("/api/reports", json={"week": "nope"}, headers=auth("operator"))  # rejected
    rows = _rows(client)
    assert [(r["action"], r["outcome"], r["status_code"], r["actor"], r["role"]) for r in rows] == [
        ("POST /api/reports", "rejected", 422, "user-operator", "operator"),
        ("POST /api/reports", "denied", 401, "anonymous", None),
        ("GET /api/audit", "denied", 403, "user-operator", "operator"),
        ("POST /api/reports/registered-users", "success", 201, "user-admin", "admin"),
    ]
    subscribe = rows[-1]
    assert subscribe["request_id"] == "req-0001-abcd"
    assert subscribe["target"] == "subscriber:ann@example.com"
    assert subscribe["client_address"] and subscribe["at"]


def test_no_credential_reaches_the_audit_log_or_a_response(client) -> None:
    token = make_token("admin")
    forged = make_token("admin", key="another-secret-" + "y" * 40)
    responses = [
        client.post(
            "/api/reports",
            json={"week": "2024-03-04"},
            headers={"Authorization": f"Bearer {forged}"},
        ),
        client.post(
            "/api/reports",
            json={"week": "2024-03-04"},
            headers={"X-API-Key": "rpk_deadbeef0000_secretvalue"},
        ),
        client.post(
            "/api/reports",
            json={"week": "2024-03-04"},
            headers={"Authorization": f"Bearer {token}"},
        ),
    ]
    assert [r.status_code for r in responses] == [401, 401, 201]
    dump = str(_rows(client)) + "".join(r.text for r in responses)
    for secret in (token, forged, SECRET, "secretvalue", token.split(".")[2]):
        assert secret not in dump


def test_audit_filters_and_pages(client) -> None:
    for n in range(5):
        client.post(
            "/api/reports/registered-users",
            json={"email": f"u{n}@example.com"},
            headers=auth("admin"),
        )
    client.get("/api/audit", headers=auth("analyst"))
    page = client.get(
        "/api/audit", params={"actor": "user-admin", "limit": 2}, headers=auth("admin")
    ).json()
    seen = [row["id"] for row in page["items"]]
    while page["next_cursor"]:
        page = client.get(
            "/api/audit",
            params={"actor": "user-admin", "limit": 2, "cursor": page["next_cursor"]},
            headers=auth("admin"),
        ).json()
        seen += [row["id"] for row in page["items"]]
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
    denied = client.get(
        "/api/audit", params={"action": "GET /api/audit"}, headers=auth("admin")
    ).json()["items"]
    assert [row["actor"] for row in denied] == ["user-analyst"]
    first = client.get("/api/audit", headers=auth("admin")).json()["items"][-1]["at"]
    assert (
        client.get(
            "/api/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=auth("admin")
        ).json()["items"]
        == []
    )
    assert (
        len(
            client.get("/api/audit", params={"since": first}, headers=auth("admin")).json()["items"]
        )
        == 6
    )


def test_the_database_refuses_to_change_audit_rows(client) -> None:
    client.post("/api/reports", json={"week": "2024-03-04"})
    engine = client.app.state.context.store.engine
    for statement in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    assert len(_rows(client)) == 1


def test_document_listing_is_an_audited_read(client) -> None:
    # Document rows carry object keys, which carry uploaders' file names.
    listed = client.get("/api/documents", params={"customer": "acme"}, headers=auth("analyst"))
    assert listed.status_code == 200
    row = _rows(client)[0]
    assert (row["action"], row["outcome"], row["status_code"], row["actor"]) == (
        "GET /api/documents",
        "success",
        200,
        "user-analyst",
    )
    assert row["target"] == "documents week:* customer:acme"
