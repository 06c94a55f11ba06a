"""The app database (a PostgreSQL cluster of the test's own) stops during the features
step, and in a second test during the email step, then comes back.

While it is down `report-pipeline run` ends with one `error:` line and no traceback;
once it is started again the same command finishes the week: one report, each
recipient exactly one message, nothing marked sent that was not written.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest

from report_pipeline_tests.cli.conftest import Cli
from report_pipeline_tests.faults.test_same_week_twice import messages_per_recipient
from report_pipeline_tests.services import PgCluster

WEEK = "2024-03-04"
SUBSCRIBERS = [f"reader{number}@example.com" for number in range(40)]


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    cluster = PgCluster()
    cluster.start()
    admin = psycopg2.connect(cluster.dsn)
    admin.autocommit = True
    admin.cursor().execute("CREATE DATABASE app")
    admin.close()
    try:
        yield cluster
    finally:
        cluster.remove()


def app_dsn(cluster: PgCluster) -> str:
    return f"{cluster.dsn.rsplit('/', 1)[0]}/app"


@pytest.fixture
def cli(cluster: PgCluster, tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "home")
    app = app_dsn(cluster).replace("postgresql://", "postgresql+psycopg2://")
    cli.env["REPORT_PIPELINE_DATABASE_URL"] = app
    cli.env["REPORT_PIPELINE_DELIVERY_LEASE_SECONDS"] = "3"  # a dead sender's rows free soon
    # Steps still retry three times against the stopped database, 0.2 + 0.4 + 0.8 s apart.
    cli.env["REPORT_PIPELINE_STEP_RETRY_DELAY_SECONDS"] = "0.2"
    assert cli("db", "upgrade").returncode == 0
    folder = tmp_path / "notes"
    folder.mkdir()
    cli.add_notes(folder, [f"Visit {number}: stable, no adverse events." for number in range(3)])
    assert cli("subscribers", "add", *SUBSCRIBERS).returncode == 0
    return cli


def run_stopping_the_database(cli: Cli, cluster: PgCluster, when: Callable[[], bool]):
    """`run --week` with the database stopped as soon as `when()` holds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "report_pipeline.cli", "run", "--week", WEEK, "--json"],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not when():
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    cluster.stop()
    out, err = process.communicate(timeout=900)
    return process.returncode, out, err


def log_says(cli: Cli, text: str) -> Callable[[], bool]:
    log = cli.home / "logs" / "cli-runs.log"
    return lambda: log.exists() and text in log.read_text(errors="replace")


def first_message_written(cli: Cli) -> Callable[[], bool]:
    return lambda: any((cli.home / "outbox").glob("*.eml"))


def database_rows(cluster: PgCluster) -> tuple[list[tuple], list[tuple]]:
    with psycopg2.connect(app_dsn(cluster)) as db:
        cursor = db.cursor()
        cursor.execute("SELECT scope, state FROM reports ORDER BY id")
        reports = cursor.fetchall()
        cursor.execute("SELECT email, status FROM deliveries ORDER BY email")
        deliveries = cursor.fetchall()
    db.close()
    return reports, deliveries


def assert_one_error_line(code: int, out: str, err: str) -> str:
    assert code == 1, err[-2000:]
    assert "Traceback" not in err, err[-3000:]
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert json.loads(out)["ok"] is False
    return errors[0]


def assert_recovered(cli: Cli, cluster: PgCluster) -> None:
    cluster.start()
    again = cli("run", "--week", WEEK, "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout)
    assert Path(summary["pdf_path"]).read_bytes().startswith(b"%PDF")
    assert summary["work_waiting"] is None
    reports, deliveries = database_rows(cluster)
    assert sorted(scope for scope, state in reports if state == "succeeded") == ["acme", "all"]
    assert sorted(deliveries) == [(email, "sent") for email in sorted(SUBSCRIBERS)]
    assert messages_per_recipient(cli.home / "outbox") == dict.fromkeys(SUBSCRIBERS, 1)


@pytest.mark.slow
def test_the_database_stops_during_the_features_step(cli: Cli, cluster: PgCluster) -> None:
    code, out, err = run_stopping_the_database(
        cli, cluster, log_says(cli, "extract_feature_batch[batch_0] - STEP_WORKER_STARTED")
    )
    line = assert_one_error_line(code, out, err)
    assert "OperationalError" in line or "database" in line, line
    assert not (cli.home / "outbox").exists() or not any((cli.home / "outbox").iterdir())
    assert_recovered(cli, cluster)


@pytest.mark.slow
def test_the_database_stops_during_the_email_step(cli: Cli, cluster: PgCluster) -> None:
    code, out, err = run_stopping_the_database(cli, cluster, first_message_written(cli))
    assert_one_error_line(code, out, err)
    written = sorted(messages_per_recipient(cli.home / "outbox"))
    assert 1 <= len(written) <= len(SUBSCRIBERS)
    cluster.start()
    _reports, deliveries = database_rows(cluster)
    sent = sorted(email for email, status in deliveries if status == "sent")
    assert set(sent) <= set(written), "a row is sent only once its message is written"
    cluster.stop()
    assert_recovered(cli, cluster)
