"""Every bad input gets one line on stderr, a non-zero exit, and nothing half-written."""

from __future__ import annotations

import sqlite3

import pytest


def _assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def _catalogued(cli) -> int:
    path = cli.home / "catalog.sqlite3"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


@pytest.mark.parametrize("week", ["2024-13-01", "yesterday", "2024/03/04"])
def test_malformed_week(cli, week: str) -> None:
    _assert_one_line_error(cli("run", "--week", week), "invalid week", "YYYY-MM-DD")


def test_week_before_the_first_week(cli) -> None:
    _assert_one_line_error(cli("run", "--week", "2019-06-03"), "before the first week")


def test_week_in_the_future(cli) -> None:
    _assert_one_line_error(cli("run", "--week", "2999-01-04"), "has not started")


def test_missing_path_adds_nothing_even_with_valid_paths_beside_it(cli, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine")
    _assert_one_line_error(
        cli("documents", "add", str(good), str(tmp_path / "nope.txt")), "no such file", "nope.txt"
    )
    assert _catalogued(cli) == 0


def test_malformed_created_at(cli, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine")
    _assert_one_line_error(
        cli("documents", "add", str(good), "--created-at", "monday"), "--created-at"
    )
    assert _catalogued(cli) == 0


def test_invalid_customer_id(cli, tmp_path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine")
    _assert_one_line_error(
        cli("documents", "add", str(good), "--customer", "../etc"), "invalid customer id"
    )
    assert _catalogued(cli) == 0


@pytest.mark.parametrize("address", ["not-an-email", "a b@example.com", "x@localhost", ""])
def test_invalid_email_subscribes_nobody(cli, address: str) -> None:
    _assert_one_line_error(
        cli("subscribers", "add", "ok@example.com", address), "invalid email address"
    )
    listed = cli("subscribers", "list")
    assert listed.returncode == 0 and listed.stdout == ""


def test_removing_an_unknown_subscriber(cli) -> None:
    _assert_one_line_error(cli("subscribers", "remove", "who@example.com"), "not subscribed")


def test_unknown_document_id(cli) -> None:
    _assert_one_line_error(cli("documents", "show", "does-not-exist"), "unknown document id")
