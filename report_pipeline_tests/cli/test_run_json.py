"""`run --json` answers with exactly one JSON object, on failure too (issue 19)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from report_pipeline.resources.connections import open_app_database
from report_pipeline.settings import load_settings
from report_pipeline_tests.delivery.conftest import smtp_server_factory  # noqa: F401
from report_pipeline_tests.delivery.tls_ca import make_test_ca


def _one_object(stdout: str) -> dict:
    [line] = stdout.strip().splitlines()  # exactly one line, one object
    return json.loads(line)


def test_a_bad_week_still_answers_one_json_object(cli) -> None:
    result = cli("run", "--week", "2024-13-01", "--json")
    assert result.returncode == 1
    answer = _one_object(result.stdout)
    assert answer["ok"] is False and answer["week"] is None
    assert result.stderr.strip().splitlines()[-1] == f"error: {answer['error']}"
    assert "invalid week" in answer["error"]


@pytest.mark.slow
def test_an_untrusted_certificate_fails_the_run_with_the_ca_setting_and_leaves_mail_pending(
    cli,
    tmp_path,
    smtp_server_factory,  # noqa: F811
) -> None:
    ca = make_test_ca(tmp_path / "ca")
    server = smtp_server_factory(tls_context=ca.server_context(), require_starttls=True)
    cli.add_note(tmp_path, "Visit note: stable.")
    assert cli("subscribers", "add", "ann@example.com", "bob@example.com").returncode == 0
    cli.env.update(
        {
            "REPORT_PIPELINE_MAILER": "smtp",
            "REPORT_PIPELINE_SMTP_HOST": server.host,
            "REPORT_PIPELINE_SMTP_PORT": str(server.port),
            "REPORT_PIPELINE_SMTP_SECURITY": "starttls",
        }
    )

    failed = cli("run", "--week", "2024-03-04", "--json")
    assert failed.returncode == 1, failed.stderr[-2000:]
    answer = _one_object(failed.stdout)
    assert answer["ok"] is False
    assert "REPORT_PIPELINE_SMTP_CA_FILE" in answer["error"]
    assert failed.stderr.strip().splitlines()[-1] == f"error: {answer['error']}"
    assert (
        answer["documents_total"],
        answer["emails_pending"],
        answer["emails_sent"],
        answer["emails_dead"],
    ) == (1, 2, 0, 0)
    assert server.connections == 1 and server.messages == []  # tried once, no retries
    assert not answer["error"].startswith("dagster")  # the line meant for people, as raised

    replayed = cli("deliveries", "replay", "--week", "2024-03-04")
    assert replayed.returncode == 1
    [line] = [row for row in replayed.stderr.splitlines() if row.startswith("error:")]
    assert "REPORT_PIPELINE_SMTP_CA_FILE" in line
    assert "2 pending" in replayed.stdout

    cli.env["REPORT_PIPELINE_SMTP_CA_FILE"] = str(ca.ca_file)
    fixed = cli("run", "--week", "2024-03-04", "--json")
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    summary = _one_object(fixed.stdout)
    assert summary["ok"] is True and summary["emails_sent"] == 2
    assert summary["pdf_sha256"] == answer["pdf_sha256"]  # same data, same version
    listed = [json.loads(line) for line in cli("deliveries", "list", "--json").stdout.splitlines()]
    assert {row["pdf_sha256"] for row in listed} == {summary["pdf_sha256"]}


@pytest.mark.slow
def test_a_report_run_that_dies_leaves_the_weeks_report_failed_not_running(cli, tmp_path) -> None:
    # One-shot runs have no daemon sensor to mark a dead run's report: `run` does it.
    cli.add_note(tmp_path, "Visit note: stable.")
    (cli.home / "catalog.sqlite3").write_bytes(b"not a database " * 100)

    failed = cli("run", "--week", "2024-03-04", "--json")
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert "weekly report run" in _one_object(failed.stdout)["error"]
    app = open_app_database(load_settings(cli.env))
    assert app.latest_report(date(2024, 3, 4)).state == "failed"
