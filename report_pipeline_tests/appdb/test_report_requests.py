"""The API's tables and report rules on both databases: migration 0002, one active
report per week (index-enforced), run-state mirroring, API key hashing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from alembic.config import Config
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, build_sensor_context
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from report_pipeline.appdb.api_keys import create_api_key, revoke_api_key, verify_api_key
from report_pipeline.appdb.reports import (
    InvalidTransition, ReportConflict, RunState, apply_run_state, request_report, set_state,
)
from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.store import MIGRATIONS, AppStore, ReportResult, utcnow
from report_pipeline.defs.report_state_sensor import report_state_sensor
from report_pipeline.resources.configurable import AppDatabaseResource

WEEK = date(2024, 3, 4)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path) -> AppStore:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}" if request.param == "sqlite" else (
        request.getfixturevalue("postgres_url"))
    store = AppStore(url)
    store.upgrade()
    yield store
    store.engine.dispose()


def test_migration_0002_goes_up_and_down(app: AppStore) -> None:
    assert {"api_keys", "audit_log"} <= set(inspect(app.engine).get_table_names())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with app.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert "audit_log" not in inspect(app.engine).get_table_names()
    app.upgrade()
    assert "audit_log" in inspect(app.engine).get_table_names()


def test_the_database_itself_refuses_a_second_active_report(app: AppStore) -> None:
    now = utcnow()
    with app.session() as session, session.begin():
        session.add(Report(week=WEEK, state="requested", created_at=now, updated_at=now))
    with pytest.raises(IntegrityError):
        with app.session() as session, session.begin():
            session.add(Report(week=WEEK, state="running", created_at=now, updated_at=now))
    with app.session() as session, session.begin():  # finished ones do not count
        session.add(Report(week=WEEK, state="failed", created_at=now, updated_at=now))


def test_request_report_rules(app: AppStore) -> None:
    first = request_report(app, WEEK)
    with pytest.raises(ReportConflict) as conflict:
        request_report(app, WEEK, force=True)
    assert conflict.value.report.id == first.id
    set_state(app, first.id, "succeeded")
    with pytest.raises(InvalidTransition):
        set_state(app, first.id, "running")
    with pytest.raises(ReportConflict) as done:
        request_report(app, WEEK)
    assert done.value.report.state == "succeeded"
    assert request_report(app, WEEK, force=True).id != first.id


def test_run_states_land_on_the_right_rows(app: AppStore) -> None:
    requested = request_report(app, WEEK)
    running = apply_run_state(app, RunState(WEEK, "run-1", "running"))
    assert (running.id, running.state, running.dagster_run_id) == (requested.id, "running", "run-1")
    app.record_report(ReportResult(WEEK, "succeeded", dagster_run_id="run-1"))
    assert apply_run_state(app, RunState(WEEK, "run-1", "running")) is None  # late, ignored
    # a scheduled run nobody requested through the API gets its own row
    failed = apply_run_state(app, RunState(date(2024, 3, 11), "run-2", "failed"))
    assert (failed.state, failed.dagster_run_id) == ("failed", "run-2")


def test_api_keys_verify_by_hash_and_revoke(app: AppStore) -> None:
    issued = create_api_key(app, "service", "worker")
    assert verify_api_key(app, issued.key).role == "service"
    assert verify_api_key(app, issued.key[:-1] + "x") is None
    assert verify_api_key(app, "rpk_nope_nope") is None and verify_api_key(app, "junk") is None
    assert revoke_api_key(app, str(issued.id)).revoked_at is not None
    assert verify_api_key(app, issued.key) is None


def test_report_state_sensor_mirrors_started_and_failed_runs(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    store = AppStore(url)
    store.upgrade()
    requested = request_report(store, WEEK)
    resources = {"app_database": AppDatabaseResource(url=url)}
    with DagsterInstance.ephemeral() as instance:
        first = build_sensor_context(instance=instance, resources=resources)
        report_state_sensor(first)  # initialises its cursor: history is not rewritten
        run = DagsterRun(job_name="weekly_report_job", run_id=uuid.uuid4().hex,
                         tags={"dagster/partition": WEEK.isoformat()},
                         status=DagsterRunStatus.STARTED)
        instance.add_run(run)
        context = build_sensor_context(instance=instance, resources=resources,
                                       cursor=str(float(first.cursor) - 1))
        report_state_sensor(context)
        assert store.latest_report(WEEK).state == "running"
        assert store.latest_report(WEEK).id == requested.id
        instance.report_run_failed(instance.get_run_by_id(run.run_id))
        report_state_sensor(build_sensor_context(instance=instance, resources=resources,
                                                 cursor=context.cursor))
    assert store.latest_report(WEEK).state == "failed"
    assert store.latest_report(WEEK).dagster_run_id == run.run_id
