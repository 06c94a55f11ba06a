"""`dead-letters list/replay`, a held week and `reports release` through the real command line."""

from __future__ import annotations

import json


def test_dead_letters_are_listed_replayed_and_a_held_week_released(cli, tmp_path) -> None:
    good = tmp_path / "note.txt"
    good.write_text("Visit: patient stable.")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    at = ["--customer", "acme", "--created-at", "2024-03-05T09:00:00+00:00"]
    assert cli("documents", "add", str(good), str(empty), *at).returncode == 0
    assert cli("subscribers", "add", "ann@example.com").returncode == 0

    # 1 of 2 failed, over the 10% default: rendered, but the emails are held.
    run = cli("run", "--week", "2024-03-04", "--json")
    assert run.returncode == 3, run.stderr  # held: a status of its own for schedulers
    summary = json.loads(run.stdout)
    assert summary["ok"] is False and summary["error"].startswith("week 2024-03-04 emails held")
    assert summary["emails_held"].startswith("report held: 1 of 2 documents failed (50.0%)")
    assert summary["emails_sent"] == 0 and not list((cli.home / "outbox").glob("*.eml"))

    listed = cli("dead-letters", "list", "--week", "2024-03-06", "--json")
    body = json.loads(listed.stdout)
    assert (body["documents"], body["with_features"], len(body["dead_letters"])) == (2, 1, 1)
    [letter] = body["dead_letters"]
    assert (letter["stage"], letter["message"], letter["attempts"]) == ("read", "empty file", 1)

    replayed = cli("dead-letters", "replay", "--week", "2024-03-04", "--json")
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout)["dead_letters"] == 1
    again = json.loads(cli("dead-letters", "list", "--week", "2024-03-04", "--json").stdout)
    assert again["dead_letters"][0]["attempts"] == 2

    released = cli("reports", "release", "--week", "2024-03-04", "--by", "operator-ann")
    assert released.returncode == 0, released.stderr
    assert "released week 2024-03-04" in released.stdout
    assert list((cli.home / "outbox").glob("*.eml"))
    twice = cli("reports", "release", "--week", "2024-03-04", "--no-send")
    assert twice.returncode == 0  # idempotent: the first release stands


def test_unknown_week_is_a_one_line_error(cli) -> None:
    result = cli("dead-letters", "list", "--week", "2024-03-04")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: week 2024-03-04 has not been processed yet"
