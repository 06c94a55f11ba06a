"""Subscription scopes through the API: `customer` on subscribe, filter, JWT customer claim."""

from __future__ import annotations

from report_pipeline.appdb.audit import audit_page
from report_pipeline_tests.api.conftest import make_token

USERS = "/api/reports/registered-users"


def _bearer(*roles: str, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(*roles, **claims)}"}


def test_admin_sets_any_scope_and_lists_by_customer(client) -> None:
    admin = _bearer("admin")
    acme = client.post(USERS, json={"email": "ann@example.com", "customer": "acme"}, headers=admin)
    assert acme.status_code == 201 and acme.json()["customer"] == "acme"
    whole = client.post(USERS, json={"email": "ann@example.com"}, headers=admin)
    assert whole.status_code == 201 and whole.json()["customer"] == "all"
    assert whole.json()["id"] != acme.json()["id"]  # one address, two scopes
    again = client.post(USERS, json={"email": "ann@example.com", "customer": "acme"}, headers=admin)
    assert again.status_code == 200 and again.json()["id"] == acme.json()["id"]
    listed = client.get(USERS, params={"customer": "acme"}, headers=admin).json()["items"]
    assert [(r["email"], r["customer"]) for r in listed] == [("ann@example.com", "acme")]
    assert len(client.get(USERS, headers=admin).json()["items"]) == 2
    gone = client.delete(f"{USERS}/ann@example.com", params={"customer": "acme"}, headers=admin)
    assert gone.status_code == 200 and gone.json()["customer"] == "acme"
    assert not gone.json()["active"]
    assert [
        r["customer"]
        for r in client.get(USERS, params={"active": "true"}, headers=admin).json()["items"]
    ] == ["all"]


def test_an_invalid_customer_is_422_and_writes_nothing(client) -> None:
    for bad in ("../etc", "a b", "x" * 65):
        response = client.post(
            USERS, json={"email": "a@example.com", "customer": bad}, headers=_bearer("admin")
        )
        assert response.status_code == 422, bad
    assert (
        client.get(USERS, params={"customer": "a/b"}, headers=_bearer("admin")).status_code == 422
    )
    assert client.get(USERS, headers=_bearer("admin")).json()["items"] == []


def test_a_subscriber_with_a_customer_claim_only_joins_that_customer(client, store) -> None:
    own = _bearer("subscriber", email="ivy@initech.example", customer="initech")
    joined = client.post(
        USERS, json={"email": "ivy@initech.example", "customer": "initech"}, headers=own
    )
    assert joined.status_code == 201 and joined.json()["customer"] == "initech"
    for scope in ("globex", "all", None):
        body = {"email": "ivy@initech.example"} | ({"customer": scope} if scope else {})
        refused = client.post(USERS, json=body, headers=own)
        assert refused.status_code == 403, scope
        assert "initech" in refused.json()["message"]
    rows = client.get(USERS, headers=_bearer("admin")).json()["items"]
    assert [(r["email"], r["customer"]) for r in rows] == [("ivy@initech.example", "initech")]
    denied = [e for e in audit_page(store, after=None, limit=50).items if e.status_code == 403]
    assert len(denied) == 3 and all(e.actor == "user-subscriber" for e in denied)


def test_a_subscriber_without_a_claim_keeps_the_all_scope_only(client) -> None:
    plain = _bearer("subscriber", email="old@example.com")
    assert client.post(USERS, json={"email": "old@example.com"}, headers=plain).status_code == 201
    assert (
        client.post(
            USERS, json={"email": "old@example.com", "customer": "acme"}, headers=plain
        ).status_code
        == 403
    )
