"""Starting Dagster runs for a week: `RunLauncher` and its two implementations.

- `GraphQLRunLauncher` (production): dagster-graphql's `DagsterGraphQLClient`
  against the running webserver; the run goes through the deployment's run
  coordinator (queue, per-partition concurrency limits) like a UI launch.
- `EmbeddedRunLauncher` (embedded default): a detached child process runs the
  job on the local instance with `execute_job`. The embedded instance has no
  gRPC code server to launch into and no daemon to dequeue a submitted run, and
  `execute_job` blocks for the whole run, so a child process keeps the request
  short and survives an API restart. The child tags its run with a launch id,
  which is how we learn the run id (public `RunsFilter`, no race with a
  scheduled run of the same week).

Emails follow a report run through `email_on_report_sensor` (when the daemon
runs) or an explicit `launch_emails` (POST /api/reports/emails/send/{id}).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from report_pipeline.names import (
    EMAIL_JOB,
    FORCE_TAG,
    LAUNCH_TAG,
    PARTITION_TAG,
    REQUESTED_BY_TAG,
    WEEKLY_REPORT_JOB,
)
from report_pipeline.settings import Settings, process_environment

# The child needs neither the API's secrets nor its keys.
_CHILD_ENV_DROP = frozenset({"REPORT_PIPELINE_JWT_SECRET"})


class LaunchError(RuntimeError):
    """The run could not be started; the message is safe to show."""


class RunLauncher(Protocol):
    def launch_week(self, week: date, force: bool) -> str:
        """Start `weekly_report_job` for the week; returns the Dagster run id."""

    def launch_emails(self, week: date, force: bool, report_id: int | None = None) -> str:
        """Start `email_job` for the week (force: resend to addresses already sent);
        with `report_id`, the run sends that report only, else every scope of the week."""


def run_tags(week: date, force: bool) -> dict[str, str]:
    return {PARTITION_TAG: week.isoformat(), FORCE_TAG: str(force).lower(), REQUESTED_BY_TAG: "api"}


def email_run_config(force: bool, report_id: int | None = None) -> dict:
    # replay: only failed and dead deliveries are retried (the first send snapshots).
    config = {"force": force, "replay": True}
    if report_id:
        config["report_id"] = report_id
    return {"ops": {"email_deliveries": {"config": config}}}


class GraphQLRunLauncher:
    def __init__(self, url: str, location: str | None = None, timeout: int = 60) -> None:
        from dagster_graphql import DagsterGraphQLClient

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"invalid Dagster GraphQL URL {url!r}: expected http(s)://host[:port]")
        self.location = location
        path = parts.path.rstrip("/").removesuffix("/graphql")
        self.client = DagsterGraphQLClient(
            parts.hostname,
            port_number=parts.port,
            use_https=parts.scheme == "https",
            timeout=timeout,
            path_prefix=path,
        )

    def launch_week(self, week: date, force: bool) -> str:
        return self._submit(WEEKLY_REPORT_JOB, run_tags(week, force), None)

    def launch_emails(self, week: date, force: bool, report_id: int | None = None) -> str:
        return self._submit(EMAIL_JOB, run_tags(week, force), email_run_config(force, report_id))

    def _submit(self, job: str, tags: dict[str, str], run_config: dict | None) -> str:
        from dagster_graphql import DagsterGraphQLClientError

        try:
            return self.client.submit_job_execution(
                job,
                repository_location_name=self.location,
                repository_name="__repository__" if self.location else None,
                run_config=run_config or {},
                tags=tags,
            )
        except DagsterGraphQLClientError as error:
            # Only the error kind: the client's message repeats the whole query.
            raise LaunchError(f"Dagster refused the {job} run: {error.args[0]}") from None
        except Exception as error:
            raise LaunchError(f"Dagster webserver unreachable: {type(error).__name__}") from None


class EmbeddedRunLauncher:
    def __init__(self, settings: Settings, timeout: float = 120.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def launch_week(self, week: date, force: bool) -> str:
        return self._spawn(WEEKLY_REPORT_JOB, week, force)

    def launch_emails(self, week: date, force: bool, report_id: int | None = None) -> str:
        return self._spawn(EMAIL_JOB, week, force, report_id)

    def _spawn(self, job: str, week: date, force: bool, report_id: int | None = None) -> str:
        launch_id = uuid.uuid4().hex
        home = self.settings.dagster_home
        home.mkdir(parents=True, exist_ok=True)
        env = process_environment(_CHILD_ENV_DROP)
        env["DAGSTER_HOME"] = str(home)
        logs = self.settings.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"api-run-{launch_id}.log"
        command = [
            sys.executable,
            "-m",
            "report_pipeline.api.embedded_run",
            "--job",
            job,
            "--week",
            week.isoformat(),
            "--launch-id",
            launch_id,
        ]
        # Open (and so create) the instance's storage before the child starts: a
        # fresh SQLite home initialised by both processes at once can fail in one.
        with self._instance() as instance, open(log_path, "ab") as log:
            process = subprocess.Popen(
                command
                + (["--force"] if force else [])
                + (["--report-id", str(report_id)] if report_id else []),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            threading.Thread(target=process.wait, daemon=True).start()  # reap, never block
            return self._wait_for_run(instance, launch_id, process, log_path)

    def _instance(self):
        from dagster import DagsterInstance
        from dagster._core.instance.ref import InstanceRef

        from report_pipeline.storage.first_use import first_use_lock

        home = self.settings.dagster_home
        with first_use_lock(home):  # a first start creates the storage: one process at a time
            return DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))

    def _wait_for_run(
        self, instance, launch_id: str, process: subprocess.Popen, log_path: Path
    ) -> str:
        from dagster import RunsFilter

        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            runs = instance.get_runs(RunsFilter(tags={LAUNCH_TAG: launch_id}), limit=1)
            if runs:
                return runs[0].run_id
            if process.poll() is not None:
                raise LaunchError(f"the run process exited early; see {log_path}")
            time.sleep(0.2)
        raise LaunchError(f"the run did not start within {self.timeout:.0f}s; see {log_path}")


def launcher_from_env(
    settings: Settings, graphql_url: str | None, location: str | None
) -> RunLauncher:
    if graphql_url:
        return GraphQLRunLauncher(graphql_url, location)
    return EmbeddedRunLauncher(settings)
