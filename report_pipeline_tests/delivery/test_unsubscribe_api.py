"""One-click unsubscribe over HTTP: POST with a valid token unsubscribes, GET never does."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.tokens import InvalidToken, UnsubscribeLinks, UnsubscribeSigner
from report_pipeline_tests.delivery.api_app import delivery_client

SIGNER = UnsubscribeSigner("k" * 40, ttl_seconds=3600)
ADDRESS = "ann@example.com"


@pytest.fixture
def store(settings) -> AppStore:
    app = AppStore(settings.database_url)
    app.upgrade()
    app.subscribe(ADDRESS, "Ann")
    return app


@pytest.fixture
def client(settings, store: AppStore):
    with delivery_client(settings, store, unsubscribe_signer=SIGNER) as test_client:
        yield test_client


def active(store: AppStore) -> bool:
    return any(s.email == ADDRESS for s in store.subscribers(active_only=True))


def token_from_link() -> str:
    link = UnsubscribeLinks("https://reports.example.com/unsubscribe", SIGNER).url_for(ADDRESS)
    return parse_qs(urlparse(link).query)["token"][0]


def test_get_shows_a_confirmation_page_and_changes_nothing(client, store: AppStore) -> None:
    response = client.get("/unsubscribe", params={"token": token_from_link()})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert ADDRESS in response.text and 'method="post"' in response.text
    assert active(store)


def test_one_click_post_unsubscribes_and_is_audited(client, store: AppStore) -> None:
    response = client.post(
        "/unsubscribe",
        params={"token": token_from_link()},
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert not active(store)
    again = client.post("/unsubscribe", params={"token": token_from_link()})
    assert again.status_code == 200 and "already" in again.text
    with store.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.actor == ADDRESS)).all()
    assert [(r.action, r.target, r.status_code) for r in rows] == [
        ("POST /unsubscribe", f"subscriber:{ADDRESS}", 200)
    ] * 2
    assert all("token" not in (r.target or "") for r in rows)


def other_address(token: str) -> str:
    body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["e"] = "bob@example.com"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # tampered signature
        lambda t: UnsubscribeSigner("x" * 40).token_for(ADDRESS),  # signed with another key
        lambda t: other_address(t),  # payload swapped, signature kept
        lambda t: "not-a-token",
    ],
)
def test_forged_tokens_are_rejected(client, store: AppStore, forge) -> None:
    token = forge(token_from_link())
    assert client.post("/unsubscribe", params={"token": token}).status_code == 403
    assert client.get("/unsubscribe", params={"token": token}).status_code == 403
    assert active(store)


def test_expired_token_is_rejected(client, store: AppStore) -> None:
    old = SIGNER.token_for(ADDRESS, now=time.time() - 3601)
    response = client.post("/unsubscribe", params={"token": old})
    assert response.status_code == 403 and "expired" in response.text
    assert active(store)


def test_missing_token_is_a_validation_error(client) -> None:
    assert client.post("/unsubscribe").status_code == 422


def test_tokens_verify_with_rotated_secrets_and_never_show_the_secret() -> None:
    old = UnsubscribeSigner("o" * 40)
    rotated = UnsubscribeSigner("n" * 40, previous_secrets=("o" * 40,))
    assert rotated.verify(old.token_for(ADDRESS)) == ADDRESS
    assert "o" * 40 not in repr(rotated) and "n" * 40 not in repr(rotated)
    with pytest.raises(ValueError):
        UnsubscribeSigner("short")
    with pytest.raises(InvalidToken):
        UnsubscribeSigner("n" * 40).verify(old.token_for(ADDRESS))
