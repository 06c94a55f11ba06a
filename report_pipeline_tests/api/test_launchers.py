"""Both launchers against real Dagster: the GraphQL client through a running webserver,
and the embedded child process on a local instance."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from dagster import DagsterInstance

from report_pipeline.api.launcher import (
    EmbeddedRunLauncher,
    GraphQLRunLauncher,
    LaunchError,
)
from report_pipeline_tests.api.conftest import WEEK
from report_pipeline_tests.services import free_port, wait_for


@pytest.fixture
def webserver(settings, tmp_path: Path) -> str:
    port = free_port()
    log = open(tmp_path / "webserver.log", "wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-m",
            "report_pipeline.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{url}/server_info", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_for(answers, timeout=120), (tmp_path / "webserver.log").read_text()[-2000:]
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_graphql_launcher_submits_the_weekly_job_for_the_partition(webserver, settings) -> None:
    run_id = GraphQLRunLauncher(webserver).launch_week(WEEK, force=True)
    with DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
    assert run is not None and run.job_name == "weekly_report_job"
    assert run.tags["dagster/partition"] == WEEK.isoformat()
    assert run.tags["report_pipeline/force"] == "true"
    email_run = GraphQLRunLauncher(webserver, location="report_pipeline.definitions")
    with DagsterInstance.get() as instance:
        run = instance.get_run_by_id(email_run.launch_emails(WEEK, force=False))
    assert run.job_name == "email_job"
    assert run.run_config["ops"]["email_deliveries"]["config"]["force"] is False


def test_graphql_launcher_reports_an_unreachable_webserver() -> None:
    with pytest.raises(LaunchError, match="unreachable|refused"):
        GraphQLRunLauncher(f"http://127.0.0.1:{free_port()}", timeout=5).launch_week(WEEK, False)
    with pytest.raises(ValueError):
        GraphQLRunLauncher("ftp://example")


def test_embedded_launcher_reports_a_child_that_dies(settings, monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(LaunchError, match="exited early"):
        EmbeddedRunLauncher(settings, timeout=30).launch_week(WEEK, False)
