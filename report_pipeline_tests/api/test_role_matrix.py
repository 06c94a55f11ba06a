"""Every cell of docs/api.md's endpoint x role table, checked against the running app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from report_pipeline.api.permissions import OWN, PUBLIC_ROUTES, RULES, Rule, readme_table
from report_pipeline.appdb.emails import schedule_email
from report_pipeline.appdb.reports import request_report
from report_pipeline.appdb.store import ReportResult
from report_pipeline_tests.api.conftest import ROLES, auth, past_week

README = Path(__file__).parents[2] / "docs" / "api.md"
OWN_ADDRESS = "own@example.com"
PUBLIC = PUBLIC_ROUTES | {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def readme_cells() -> dict[tuple[str, str], dict[str, str]]:
    text = README.read_text()
    section = text[text.index("## HTTP API") :]
    rows = re.findall(r"^\| `(\w+) (\S+)` \| (.+) \|$", section, flags=re.M)
    return {
        (method, path): dict(zip(ROLES, (c.strip() for c in cells.split("|")), strict=False))
        for method, path, cells in rows
    }


def test_readme_carries_the_enforced_table() -> None:
    assert readme_table() in README.read_text()
    cells = readme_cells()
    assert set(cells) == {(rule.method, rule.path) for rule in RULES}
    for rule in RULES:
        expected = {role: rule.grants.get(role, "-") for role in ROLES}
        assert cells[(rule.method, rule.path)] == expected


def test_every_api_route_has_a_rule_and_every_rule_a_route(sqlite_client) -> None:
    paths = sqlite_client.app.openapi()["paths"]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path not in PUBLIC
        for method in operations
    }
    assert routes == {(rule.method, rule.path) for rule in RULES}


@pytest.fixture
def seeded(client):
    store = client.app.state.context.store
    sent_week, patch_week = past_week(2), past_week(3)
    done = store.record_report(ReportResult(sent_week, "succeeded", pdf_key="reports/x.pdf"))
    pending = request_report(store, patch_week)
    email, _ = schedule_email(store, done.id, "reader@example.com")
    store.subscribe(OWN_ADDRESS)
    store.subscribe("other@example.com")
    return {"report": done.id, "pending": pending.id, "email": email.id, "week": past_week(1)}


def request_for(rule: Rule, ids: dict, address: str) -> tuple[str, str, dict | None]:
    path = rule.path.replace("{email}", address)
    path = path.replace(
        "{report_id}", str(ids["pending"] if "state" in path or "result" in path else ids["report"])
    )
    body = None
    path = path.replace("{document_id}", "doc-1")
    if rule.path == "/api/documents/{document_id}/label":
        body = {"type": "lab_result"} if rule.method == "PUT" else None
    elif rule.path == "/api/reports/emails/{id}":
        path = path.replace("{id}", str(ids["report"] if rule.method == "GET" else ids["email"]))
        body = {"status": "failed", "error": "mailbox full"} if rule.method == "PATCH" else None
    elif rule.path == "/api/reports/registered-users" and rule.method == "POST":
        body = {"email": address}
    elif rule.path == "/api/reports" and rule.method == "POST":
        body = {"week": ids["week"].isoformat()}
    elif rule.path.endswith("/state"):
        body = {"state": "running"}
    elif rule.path.endswith("/result"):
        body = {"documents_total": 3}
    elif rule.path == "/api/reports/emails" and rule.method == "POST":
        body = {"report_id": ids["report"], "email": "new@example.com"}
    elif rule.path.startswith("/api/reports/emails/send"):
        body = {"force": False}
    elif rule.path.endswith("/test-email"):
        body = {"to": "proof@example.com"}
    return rule.method, path, body


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_cells(client, seeded, role: str) -> None:
    for rule in RULES:
        grant = rule.grants.get(role)
        method, path, body = request_for(rule, seeded, OWN_ADDRESS)
        response = client.request(method, path, json=body, headers=auth(role, email=OWN_ADDRESS))
        where = f"{role}: {method} {path} -> {response.status_code} {response.text}"
        if grant is None:
            assert response.status_code == 403, where
        else:
            assert response.status_code < 500 and response.status_code not in (401, 403), where
        if grant == OWN:  # the same call on somebody else's address is refused
            method, path, body = request_for(rule, seeded, "other@example.com")
            other = client.request(method, path, json=body, headers=auth(role, email=OWN_ADDRESS))
            assert other.status_code == 403, f"{role} on another address: {other.text}"


def test_no_credentials_is_401_everywhere_but_health(client, seeded) -> None:
    for rule in RULES:
        method, path, body = request_for(rule, seeded, OWN_ADDRESS)
        response = client.request(method, path, json=body)
        assert response.status_code == 401, f"{method} {path}"
        assert response.json()["error"] == "unauthenticated"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_a_token_without_known_roles_is_denied_everywhere(client, seeded) -> None:
    for rule in RULES:
        method, path, body = request_for(rule, seeded, OWN_ADDRESS)
        response = client.request(
            method, path, json=body, headers=auth("superuser", email=OWN_ADDRESS)
        )
        assert response.status_code == 403, f"{method} {path}"
