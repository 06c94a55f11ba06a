"""`run` and `demo` in a terminal: progress and a summary, Dagster's lines only with -v."""

from __future__ import annotations

import email
import json
from email import policy
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from report_pipeline.api.app import create_app
from report_pipeline.settings import load_settings


@pytest.mark.slow
def test_run_without_verbose_prints_progress_and_no_debug_line(cli, tmp_path) -> None:
    cli.add_note(tmp_path, "Visit 1: blood pressure normal.")
    assert cli("subscribers", "add", "ann@example.com").returncode == 0

    quiet = cli("run", "--week", "2024-03-04")
    assert quiet.returncode == 0, quiet.stderr
    assert "DEBUG" not in quiet.stdout + quiet.stderr
    assert "STEP_" not in quiet.stderr  # no Dagster event line
    assert "week 2024-03-04 features: done (1 documents, 1 batches)" in quiet.stderr
    assert "week 2024-03-04: 1 documents, 0 failed" in quiet.stdout
    assert "DEBUG" in (cli.home / "logs" / "cli-runs.log").read_text()  # kept, not lost

    as_json = cli("run", "--week", "2024-03-04", "--json")
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)  # exactly one JSON object, nothing else on stdout
    assert summary["emails_skipped"] == 1 and summary["needs_review"] == 0

    verbose = cli("run", "--week", "2024-03-04", "-v")
    assert verbose.returncode == 0 and "DEBUG" in verbose.stderr


@pytest.mark.slow
def test_an_empty_week_shows_its_warning(cli) -> None:
    run = cli("run", "--week", "2024-03-04")
    assert run.returncode == 0, run.stderr
    assert "warning: emails of week 2024-03-04 held" in run.stderr
    assert "DEBUG" not in run.stderr


@pytest.mark.slow
def test_demo_emails_carry_a_working_one_click_unsubscribe(cli) -> None:
    demo = cli("demo", "--week", "2024-03-04", "--json")
    assert demo.returncode == 0, demo.stderr
    summary = json.loads(demo.stdout)
    assert summary["emails_sent"] == 3 and summary["needs_review"] >= 6  # six photos, no text
    # The earlier weeks are published for every scope: customers' reports have trends too.
    earlier = cli.home / "objects" / "reports" / "2024-02-26" / "customers"
    assert sorted(p.parent.name for p in earlier.glob("*/summary.json")) == [
        "acme-trials",
        "globex-research",
        "northwind-health",
    ]

    secret = cli.home / "unsubscribe.secret"
    assert secret.stat().st_mode & 0o777 == 0o600  # generated on the first run
    paths = sorted((cli.home / "outbox").glob("*.eml"))
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]
    for message in messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe?token=")
        assert message["From"].startswith("Weekly document report <")
        for part in ("plain", "html"):
            body = message.get_body((part,)).get_content()
            assert "You receive this email because you are subscribed" in body
            assert "http://127.0.0.1:8000/unsubscribe?token=" in body

    [ada] = [m for m in messages if "dr.ada.lovelace@example.com" in m["To"]]
    link = urlsplit(ada["List-Unsubscribe"].strip("<>"))
    settings = load_settings(cli.env)
    with TestClient(create_app(settings)) as client:
        response = client.post(
            f"{link.path}?{link.query}",
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200, response.text
    listed = cli("subscribers", "list")  # active ones only
    active = {line.split("\t")[0] for line in listed.stdout.splitlines()}
    assert "dr.ada.lovelace@example.com" not in active
    assert "trial.monitor@example.com" in active
