"""20 parallel POST /api/reports for one week: one report, one Dagster run, then the
pipeline's result shows through the API. A real uvicorn server, a real run."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import uvicorn
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from sqlalchemy import func, select

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.api.launcher import EmbeddedRunLauncher
from report_pipeline.appdb.schema import Report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.api.conftest import JWT, WEEK, auth
from report_pipeline_tests.services import free_port, wait_for

PARALLEL = 20


class ServerThread:
    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        assert wait_for(lambda: self.server.started, timeout=30)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def _post_in_parallel(base_url: str, week: str) -> list[httpx.Response]:
    barrier = threading.Barrier(PARALLEL)

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=180) as http:
            barrier.wait()
            return http.post("/api/reports", json={"week": week}, headers=auth("operator"))

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(post, range(PARALLEL)))


def _launch_logs(settings, responses: list[httpx.Response]) -> str:
    """On failure: the odd responses and what the run's child process printed."""
    odd = [r.text for r in responses if r.status_code != 409]
    logs = [p.read_text()[-3000:] for p in (settings.home / "logs").glob("api-run-*.log")]
    return "\n".join(odd + logs)


def test_parallel_requests_make_one_report_and_one_run_on_postgresql(pipeline_settings) -> None:
    settings = pipeline_settings
    services = open_services(settings)
    at = datetime(2024, 3, 5, 10, tzinfo=UTC)
    store_document(
        services,
        b"Visit note: patient stable, dosage unchanged.",
        "note.txt",
        "text/plain",
        "acme",
        at,
    )
    config = ApiConfig(
        jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=60
    )
    app = create_app(settings, config=config, launcher=EmbeddedRunLauncher(settings))
    with ServerThread(app) as base_url:
        responses = _post_in_parallel(base_url, "2024-03-07")
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * (PARALLEL - 1), _launch_logs(settings, responses)
        [created] = [r.json() for r in responses if r.status_code == 201]
        assert {r.json()["report"]["id"] for r in responses if r.status_code == 409} == {
            created["id"]
        }
        with services.app.session() as session:
            assert (
                session.scalar(select(func.count()).select_from(Report).where(Report.week == WEEK))
                == 1
            )
        with DagsterInstance.get() as instance:
            runs = instance.get_runs(RunsFilter(tags={"dagster/partition": WEEK.isoformat()}))
            assert [run.run_id for run in runs] == [created["dagster_run_id"]]
            assert runs[0].job_name == "weekly_report_job"
            finished = wait_for(
                lambda: instance.get_run_by_id(runs[0].run_id).is_finished, timeout=300
            )
            assert finished
            assert instance.get_run_by_id(runs[0].run_id).status == DagsterRunStatus.SUCCESS

        # The report the pipeline rendered is the row the API created, with its facts.
        with httpx.Client(base_url=base_url) as http:
            report = http.get(f"/api/reports/{created['id']}", headers=auth("analyst")).json()
            listed = http.get(
                "/api/reports", params={"week": WEEK.isoformat()}, headers=auth("analyst")
            ).json()["items"]
    assert report["state"] == "succeeded"
    assert (report["documents_total"], report["documents_failed"]) == (1, 0)
    assert report["dagster_run_id"] == created["dagster_run_id"]
    assert report["report_uri"].endswith("weekly-report.pdf")
    assert [r["id"] for r in listed] == [created["id"]]


def test_parallel_requests_on_sqlite_make_one_report(sqlite_client, launcher) -> None:
    def post(_: int):
        return sqlite_client.post(
            "/api/reports", json={"week": WEEK.isoformat()}, headers=auth("admin")
        ).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = sorted(pool.map(post, range(PARALLEL)))
    assert statuses == [201] + [409] * (PARALLEL - 1)
    assert launcher.calls == [("week", WEEK, False)]
