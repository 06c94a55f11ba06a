"""Item 16: repeated denials are throttled (429 + Retry-After) and aggregated in the audit log."""

from __future__ import annotations

import ipaddress
import uuid

import pytest
import redis
from sqlalchemy import select

from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.subscriptions import subscriber_by_email
from report_pipeline.settings import SettingsError, load_settings
from report_pipeline_tests.api.conftest import auth

BAD = {"Authorization": "Bearer not-a-token"}


def _audit(store) -> list[AuditEntry]:
    with store.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_failed_authentication_is_throttled_and_aggregated(start_api) -> None:
    api = start_api(REPORT_PIPELINE_API_RATE_LIMIT="5/minute")
    with api.client() as client:
        statuses = [
            client.post("/api/reports", json={"week": "2024-03-04"}, headers=BAD).status_code
            for _ in range(5)
        ]
        assert statuses == [401] * 5
        throttled = [
            client.post("/api/reports", json={"week": "2024-03-04"}, headers=BAD) for _ in range(30)
        ]
        # Even a valid credential waits: the client is over its budget.
        valid = client.get("/api/reports", headers=auth("admin"))
    assert all(r.status_code == 429 for r in throttled)
    assert 1 <= int(throttled[0].headers["retry-after"]) <= 60
    assert valid.status_code == 429
    rows = _audit(api.store)
    assert [row.outcome for row in rows] == ["denied"] * 5 + ["throttled"]
    assert "over 5 denials per 1 minute" in rows[-1].target
    assert api.launcher.calls == []


def test_unsubscribe_guessing_is_throttled(start_api) -> None:
    api = start_api(REPORT_PIPELINE_API_RATE_LIMIT="3/minute")
    api.store.subscribe("ann@example.com")
    with api.client() as client:
        guesses = [
            client.post("/unsubscribe", params={"token": f"guess{n}.x"}).status_code
            for n in range(10)
        ]
    assert guesses[:3] == [403] * 3 and set(guesses[3:]) == {429}
    assert len(_audit(api.store)) == 4
    assert subscriber_by_email(api.store, "ann@example.com").active


def test_successful_requests_do_not_use_the_budget(start_api) -> None:
    api = start_api(REPORT_PIPELINE_API_RATE_LIMIT="2/minute")
    with api.client() as client:
        assert all(
            client.get("/api/reports", headers=auth("admin")).status_code == 200 for _ in range(10)
        )


def test_redis_backed_limits_are_shared_by_replicas(start_api) -> None:
    """Two API processes on one Redis: denials at one count at the other."""
    env = {
        "REPORT_PIPELINE_API_RATE_LIMIT": "4/minute",
        "REPORT_PIPELINE_API_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379/0",
        "REPORT_PIPELINE_API_TRUSTED_PROXIES": "127.0.0.1",
    }
    first = start_api(**env)
    second = start_api(store=first.store, **env)
    # A client address of its own, so other tests on the same Redis do not interfere.
    # Compressed form (no leading zeros), as the limiter keys it.
    caller = {"X-Forwarded-For": str(ipaddress.ip_address(f"2001:db8::{uuid.uuid4().hex[:4]}"))}
    with first.client() as one, second.client() as two:
        assert [one.get("/api/audit", headers={**BAD, **caller}).status_code for _ in range(4)] == [
            401
        ] * 4
        answer = two.get("/api/audit", headers={**BAD, **caller})
    assert answer.status_code == 429 and "retry-after" in answer.headers
    keys = redis.Redis.from_url("redis://127.0.0.1:6379/0").keys("*report-pipeline-denials*")
    assert any(caller["X-Forwarded-For"].encode() in key for key in keys)


def test_bad_limit_settings_name_the_variable() -> None:
    for name, value in (
        ("REPORT_PIPELINE_API_RATE_LIMIT", "lots"),
        ("REPORT_PIPELINE_API_RATE_LIMIT", "0/minute"),
        ("REPORT_PIPELINE_API_MAX_BODY_BYTES", "10"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: value})
    assert load_settings({}).api.rate_limit == "20/minute"
    assert load_settings({}).api.max_body_bytes == 1024 * 1024
