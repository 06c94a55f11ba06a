"""Subscribe, unsubscribe, list: idempotent, normalized, soft."""

from __future__ import annotations

from report_pipeline_tests.api.conftest import auth

USERS = "/api/reports/registered-users"


def test_subscribe_is_idempotent_and_case_insensitive(client) -> None:
    first = client.post(
        USERS, json={"email": "  Ann@Example.COM ", "name": "Ann"}, headers=auth("admin")
    )
    assert first.status_code == 201
    assert first.json()["email"] == "ann@example.com" and first.json()["active"] is True
    again = client.post(USERS, json={"email": "ann@example.com"}, headers=auth("admin"))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = client.get(USERS, headers=auth("analyst")).json()["items"]
    assert [row["email"] for row in listed] == ["ann@example.com"]


def test_unsubscribe_keeps_history_and_resubscribe_reactivates(client) -> None:
    created = client.post(USERS, json={"email": "bob@example.com"}, headers=auth("admin")).json()
    removed = client.delete(f"{USERS}/BOB@example.com", headers=auth("admin"))
    assert removed.status_code == 200
    assert removed.json()["active"] is False and removed.json()["unsubscribed_at"]
    assert client.get(USERS, params={"active": "true"}, headers=auth("admin")).json()["items"] == []
    history = client.get(USERS, params={"active": "false"}, headers=auth("admin")).json()["items"]
    assert [row["id"] for row in history] == [created["id"]]
    back = client.post(USERS, json={"email": "bob@example.com"}, headers=auth("admin"))
    assert back.status_code == 201
    assert back.json()["id"] == created["id"] and back.json()["unsubscribed_at"] is None


def test_unknown_address_is_404_and_invalid_address_422(client) -> None:
    missing = client.delete(f"{USERS}/nobody@example.com", headers=auth("admin"))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    for bad in ("not-an-email", "a@", ""):
        response = client.post(USERS, json={"email": bad}, headers=auth("admin"))
        assert response.status_code == 422, bad
        assert response.json()["error"] in ("invalid_email", "invalid_request")
    assert client.delete(f"{USERS}/not-an-email", headers=auth("admin")).status_code == 422


def test_a_subscriber_manages_only_its_own_address(client) -> None:
    mine = auth("subscriber", email="Me@Example.com")
    assert client.post(USERS, json={"email": "me@example.com"}, headers=mine).status_code == 201
    assert client.post(USERS, json={"email": "you@example.com"}, headers=mine).status_code == 403
    client.post(USERS, json={"email": "you@example.com"}, headers=auth("admin"))
    assert client.delete(f"{USERS}/you@example.com", headers=mine).status_code == 403
    assert client.delete(f"{USERS}/me@example.com", headers=mine).status_code == 200
    # Without an email claim a subscriber owns nothing.
    assert (
        client.post(USERS, json={"email": "me@example.com"}, headers=auth("subscriber")).status_code
        == 403
    )
