"""Issue 17: the report's state is exact while a run is under way, and a run that dies is
reconciled.

A step of the test's own waits on an event the test controls, right after the real
first step (`document_manifest`): while it waits, the API must already say `running`.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from dagster import (
    DagsterEventType,
    DagsterInstance,
    Definitions,
    Failure,
    asset,
    build_run_status_sensor_context,
    define_asset_job,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.appdb.reports import STATE_ACTION
from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.store import AppStore
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.partitions import weekly_partitions
from report_pipeline.defs.report_state_sensor import report_state_on_run_failure
from report_pipeline.names import WEEKLY_REPORT_JOB
from report_pipeline.resources.build import build_resources
from report_pipeline_tests.api.conftest import JWT, RecordingLauncher, auth

WEEK = date(2024, 3, 4)
released = threading.Event()


@asset(partitions_def=weekly_partitions, deps=[document_manifest])
def blocked_step() -> None:
    """Waits for the test, then dies as a crashed step would."""
    released.wait(timeout=600)  # a safety net only: the test sets the event
    raise Failure("the step died", allow_retries=False)


def _api(settings, store: AppStore) -> TestClient:
    config = ApiConfig(
        jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
    )
    return TestClient(
        create_app(settings, config=config, store=store, launcher=RecordingLauncher())
    )


def _week_state(client: TestClient) -> dict | None:
    reply = client.get("/api/reports", params={"week": WEEK.isoformat()}, headers=auth("operator"))
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    return items[0] if items else None


def _transitions(store: AppStore) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == STATE_ACTION).order_by(AuditEntry.id)
        ).all()
    return [(row.target.split()[-1], row.request_id, row.actor) for row in rows]


def test_running_is_visible_through_the_api_while_a_step_is_blocked(settings) -> None:
    store = AppStore(settings.database_url)
    store.upgrade()
    client = _api(settings, store)
    released.clear()
    outcome: dict = {}
    with DagsterInstance.ephemeral() as instance:
        # The weekly job's name and first step, with the test's step where the rest would be.
        job = Definitions(
            assets=[document_manifest, blocked_step],
            resources=build_resources(settings),
            jobs=[define_asset_job(WEEKLY_REPORT_JOB, partitions_def=weekly_partitions)],
        ).resolve_job_def(WEEKLY_REPORT_JOB)

        def run() -> None:
            outcome["result"] = job.execute_in_process(
                instance=instance, partition_key=WEEK.isoformat(), raise_on_error=False
            )

        worker = threading.Thread(target=run)
        worker.start()
        seen = None
        while worker.is_alive():  # until the blocked step shows, or the run ends without it
            seen = _week_state(client)
            if seen and seen["state"] == "running":
                break
            time.sleep(0.05)
        released.set()
        worker.join()
        result = outcome["result"]
        assert seen is not None and seen["state"] == "running", seen
        assert seen["dagster_run_id"] == result.run_id
        assert not result.success

        # The run died before the report step: the run-failure sensor says so.
        [failure] = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name=report_state_on_run_failure.name,
            dagster_event=failure.dagster_event,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            resources={"app_database": build_resources(settings)["app_database"]},
        ).for_run_failure()
        report_state_on_run_failure(context)
    assert _week_state(client)["state"] == "failed"
    assert _transitions(store) == [
        ("none->running", result.run_id, "dagster"),
        ("running->failed", result.run_id, "dagster"),
    ]
