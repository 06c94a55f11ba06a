"""Who may call what: the endpoint x role table, in one place.

The API enforces exactly this table (deny by default: a route missing here is
refused to everyone), and the table in docs/api.md is rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from report_pipeline.api.auth import ROLES

# "own": a subscriber, only for its own address (and, when its JWT carries a
# `customer` claim, only that customer's scope: api.deps.Access.require_scope)
Grant = Literal["yes", "own"]
Y: Grant = "yes"
OWN: Grant = "own"


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    grants: dict[str, Grant]
    summary: str


RULES: tuple[Rule, ...] = (
    Rule(
        "POST",
        "/api/reports/registered-users",
        {"admin": Y, "subscriber": OWN},
        "subscribe an address to a scope (a subscriber: itself, to its `customer` claim only)",
    ),
    Rule(
        "DELETE",
        "/api/reports/registered-users/{email}",
        {"admin": Y, "subscriber": OWN},
        "unsubscribe an address",
    ),
    Rule(
        "GET",
        "/api/reports/registered-users",
        {"admin": Y, "operator": Y, "analyst": Y},
        "list subscribers",
    ),
    Rule("GET", "/api/documents", {"admin": Y, "operator": Y, "analyst": Y}, "list documents"),
    Rule(
        "GET",
        "/api/documents/{document_id}/label",
        {"admin": Y, "operator": Y, "analyst": Y},
        "a document's label (its operator-given type)",
    ),
    Rule(
        "PUT",
        "/api/documents/{document_id}/label",
        {"admin": Y, "operator": Y},
        "label a document with a type of the taxonomy (learned by `documents train`)",
    ),
    Rule(
        "POST", "/api/reports", {"admin": Y, "operator": Y}, "request a week's report (force too)"
    ),
    Rule("GET", "/api/reports", {"admin": Y, "operator": Y, "analyst": Y}, "list reports"),
    Rule(
        "GET",
        "/api/reports/{report_id}",
        {"admin": Y, "operator": Y, "analyst": Y, "service": Y},
        "one report",
    ),
    Rule(
        "PATCH",
        "/api/reports/{report_id}/state",
        {"admin": Y, "service": Y},
        "set a report's state",
    ),
    Rule(
        "PATCH",
        "/api/reports/{report_id}/result",
        {"admin": Y, "service": Y},
        "record a report's result",
    ),
    Rule(
        "POST",
        "/api/reports/{report_id}/release",
        {"admin": Y, "operator": Y},
        "release a held report's emails",
    ),
    Rule(
        "POST",
        "/api/reports/{report_id}/test-email",
        {"admin": Y, "operator": Y},
        "send a report's email to one address, marked [Test]",
    ),
    Rule(
        "POST",
        "/api/reports/emails/send/{report_id}",
        {"admin": Y, "operator": Y},
        "(re)send a report's emails",
    ),
    Rule("POST", "/api/reports/emails", {"admin": Y, "service": Y}, "record a scheduled email"),
    Rule(
        "GET",
        "/api/reports/emails/{id}",
        {"admin": Y, "operator": Y, "analyst": Y, "service": Y},
        "a report's emails",
    ),
    Rule(
        "PATCH", "/api/reports/emails/{id}", {"admin": Y, "service": Y}, "update an email's status"
    ),
    Rule("GET", "/api/audit", {"admin": Y}, "the audit log"),
)
# Outside the table, each authenticated by what it carries, never by a role:
# health checks (nothing), one-click unsubscribe (a per-recipient signed token,
# RFC 8058), SES notifications (the SNS message signature), Prometheus scrapes
# (REPORT_PIPELINE_METRICS_TOKEN; refused when it is not set) and emailed report
# links (a per-recipient signed, expiring token; every download is audited).
PUBLIC_ROUTES: frozenset[str] = frozenset(
    {
        "/healthz",
        "/readyz",
        "/unsubscribe",
        "/api/ses/notifications",
        "/metrics",
        "/api/reports/{report_id}/download",
    }
)
_BY_ROUTE = {(rule.method, rule.path): rule for rule in RULES}


def rule_for(method: str, path: str) -> Rule | None:
    return _BY_ROUTE.get((method, path))


def grant_for(method: str, path: str, roles: frozenset[str]) -> Grant | None:
    """The widest grant any of `roles` has on the route; None = denied."""
    rule = rule_for(method, path)
    if rule is None:
        return None
    grants = {rule.grants.get(role) for role in roles}
    return Y if Y in grants else OWN if OWN in grants else None


def readme_table() -> str:
    """The endpoint x role table as Markdown (yes / own / -)."""
    cell = {Y: "yes", OWN: "own", None: "-"}
    lines = [
        "| endpoint | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for rule in RULES:
        cells = " | ".join(cell[rule.grants.get(role)] for role in ROLES)
        lines.append(f"| `{rule.method} {rule.path}` | {cells} |")
    return "\n".join(lines)
