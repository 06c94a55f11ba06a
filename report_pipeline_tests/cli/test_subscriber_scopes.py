"""`subscribers add|list|remove` with `--customer`: scopes, JSON, bad ids write nothing."""

from __future__ import annotations

import json


def test_scopes_through_the_cli(cli) -> None:
    assert cli("subscribers", "add", "a@example.com", "b@example.com").returncode == 0
    added = cli("subscribers", "add", "a@example.com", "--customer", "acme", "--name", "Ann")
    assert added.returncode == 0 and "customer acme" in added.stdout
    rows = json.loads(cli("subscribers", "list", "--json").stdout)
    assert sorted((r["email"], r["customer"]) for r in rows) == [
        ("a@example.com", "acme"),
        ("a@example.com", "all"),
        ("b@example.com", "all"),
    ]
    only = json.loads(cli("subscribers", "list", "--customer", "acme", "--json").stdout)
    assert [(r["email"], r["name"]) for r in only] == [("a@example.com", "Ann")]
    assert "\tacme\tactive" in cli("subscribers", "list").stdout
    assert cli("subscribers", "remove", "a@example.com", "--customer", "acme").returncode == 0
    gone = cli("subscribers", "remove", "a@example.com", "--customer", "acme")
    assert gone.returncode == 1 and "not subscribed to customer acme" in gone.stderr
    rows = json.loads(cli("subscribers", "list", "--json").stdout)
    assert sorted(r["email"] for r in rows) == ["a@example.com", "b@example.com"]


def test_an_invalid_customer_writes_nothing(cli) -> None:
    for args in (
        ("add", "a@example.com", "--customer", "../etc"),
        ("list", "--customer", "a b"),
        ("remove", "a@example.com", "--customer", "x/y"),
    ):
        result = cli("subscribers", *args)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "invalid customer id" in result.stderr.strip().splitlines()[-1]
    assert json.loads(cli("subscribers", "list", "--json").stdout) == []
