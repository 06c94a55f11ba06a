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


def _grants(who: str) -> dict[str, Grant]:
    """`admin subscriber:own` -> {"admin": "yes", "subscriber": "own"}."""
    grants: dict[str, Grant] = {}
    for word in who.split():
        role, _, own = word.partition(":")
        if role not in ROLES or own not in ("", OWN):
            raise ValueError(f"permissions table: unknown grant {word!r}")
        grants[role] = OWN if own else Y
    return grants


# Under each router's prefix, one row a route: method, path, who may call it, what
# it does. `subscriber:own`: a subscriber for itself only, and to its JWT's
# `customer` claim only when it has one.
_TABLE: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "/api/reports/registered-users": (
        ("POST", "", "admin subscriber:own", "subscribe an address to a scope"),
        ("DELETE", "/{email}", "admin subscriber:own", "unsubscribe an address"),
        ("GET", "", "admin operator analyst", "list subscribers"),
    ),
    "/api/documents": (
        ("GET", "", "admin operator analyst", "list documents"),
        ("GET", "/{document_id}/label", "admin operator analyst", "a document's label"),
        ("PUT", "/{document_id}/label", "admin operator", "label a document with a type"),
    ),
    "/api/reports": (
        ("POST", "", "admin operator", "request a week's report (force too)"),
        ("GET", "", "admin operator analyst", "list reports"),
        ("GET", "/{report_id}", "admin operator analyst service", "one report"),
        ("PATCH", "/{report_id}/state", "admin service", "set a report's state"),
        ("PATCH", "/{report_id}/result", "admin service", "record a report's result"),
        ("POST", "/{report_id}/release", "admin operator", "release a held report's emails"),
        ("POST", "/{report_id}/test-email", "admin operator", "a test email to one address"),
        ("POST", "/emails/send/{report_id}", "admin operator", "(re)send a report's emails"),
        ("POST", "/emails", "admin service", "record a scheduled email"),
        ("GET", "/emails/{id}", "admin operator analyst service", "a report's emails"),
        ("PATCH", "/emails/{id}", "admin service", "update an email's status"),
    ),
    "/api/audit": (("GET", "", "admin", "the audit log"),),
}
RULES: tuple[Rule, ...] = tuple(
    Rule(method, prefix + path, _grants(who), summary)
    for prefix, rows in _TABLE.items()
    for method, path, who, summary in rows
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
