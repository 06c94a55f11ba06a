"""The API's tables and report rules on both databases: migration 0002, one active
report per week (index-enforced), run states (audited, reconciled by run-status sensors),
API key hashing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from alembic.config import Config
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    build_run_status_sensor_context,
)
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from report_pipeline.appdb.api_keys import create_api_key, revoke_api_key, verify_api_key
from report_pipeline.appdb.reports import (
    STATE_ACTION,
    InvalidTransition,
    ReportConflict,
    RunState,
    apply_run_state,
    attach_run,
    finish_run,
    release_hold,
    request_report,
    set_state,
    start_run,
)
from report_pipeline.appdb.schema import AuditEntry, Report
from report_pipeline.appdb.store import MIGRATIONS, AppStore, ReportResult, utcnow
from report_pipeline.defs.report_state_sensor import (
    report_state_on_run_canceled,
    report_state_on_run_failure,
)
from report_pipeline.resources.configurable import AppDatabaseResource

WEEK = date(2024, 3, 4)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path) -> AppStore:
    url = (
        f"sqlite:///{tmp_path / 'app.sqlite3'}"
        if request.param == "sqlite"
        else (request.getfixturevalue("postgres_url"))
    )
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


def _state_audit(app: AppStore) -> list[tuple[str, str, str]]:
    with app.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == STATE_ACTION).order_by(AuditEntry.id)
        ).all()
    return [(row.target.split()[-1], row.request_id, row.actor) for row in rows]


def test_a_run_marks_running_once_and_a_rerender_keeps_the_row(app: AppStore) -> None:
    first = start_run(app, WEEK, "run-1")
    assert (first.state, first.dagster_run_id) == ("running", "run-1")
    assert start_run(app, WEEK, "run-1") is None  # second first step, or a retry: no change
    done = finish_run(
        app, ReportResult(WEEK, "succeeded", pdf_key="r.pdf", dagster_run_id="run-1"), None
    )
    assert (done.id, done.state) == (first.id, "succeeded")
    again = start_run(app, WEEK, "run-2")  # a re-render: same row, so deliveries still dedupe
    assert (again.id, again.state, again.dagster_run_id) == (first.id, "running", "run-2")
    held = finish_run(app, ReportResult(WEEK, "succeeded", dagster_run_id="run-2"), "too many")
    assert (held.state, held.hold_reason, held.pdf_key) == ("held", "too many", "r.pdf")
    assert release_hold(app, WEEK, "ops@example.com").state == "succeeded"
    assert _state_audit(app) == [
        ("none->running", "run-1", "dagster"),
        ("running->succeeded", "run-1", "dagster"),
        ("succeeded->running", "run-2", "dagster"),
        ("running->held", "run-2", "dagster"),
        ("held->succeeded", "run-2", "ops@example.com"),
    ]


def test_a_late_failure_never_overwrites_a_finished_report(app: AppStore) -> None:
    start_run(app, WEEK, "run-1")
    finish_run(app, ReportResult(WEEK, "succeeded", dagster_run_id="run-1"), None)
    # only the completeness check failed after the report step: the run is red, the report done
    assert apply_run_state(app, RunState(WEEK, "run-1", "failed")) is None
    # a run of the week that died before touching it leaves the week's report alone
    assert apply_run_state(app, RunState(WEEK, "run-9", "failed")) is None
    assert app.latest_report(WEEK).state == "succeeded"


@pytest.mark.parametrize("status", ["failure", "canceled"])
def test_a_run_that_dies_is_reconciled_by_a_run_status_sensor(tmp_path, status: str) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    store = AppStore(url)
    store.upgrade()
    requested = request_report(store, WEEK)
    resources = {"app_database": AppDatabaseResource(url=url)}
    with DagsterInstance.ephemeral() as instance:
        run = DagsterRun(
            job_name="weekly_report_job",
            run_id=uuid.uuid4().hex,
            tags={"dagster/partition": WEEK.isoformat()},
            status=DagsterRunStatus.STARTED,
        )
        instance.add_run(run)
        attach_run(store, requested.id, run.run_id)
        start_run(store, WEEK, run.run_id)
        assert store.latest_report(WEEK).state == "running"
        if status == "failure":
            instance.report_run_failed(instance.get_run_by_id(run.run_id))
            event_type, sensor = DagsterEventType.RUN_FAILURE, report_state_on_run_failure
        else:
            instance.report_run_canceled(instance.get_run_by_id(run.run_id))
            event_type, sensor = DagsterEventType.RUN_CANCELED, report_state_on_run_canceled
        [event] = instance.all_logs(run.run_id, of_type=event_type)
        context = build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=event.dagster_event,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(run.run_id),
            resources=resources,
        )
        sensor(context.for_run_failure() if status == "failure" else context)
    row = store.latest_report(WEEK)
    assert (row.id, row.state, row.dagster_run_id) == (requested.id, "failed", run.run_id)
    assert _state_audit(store) == [
        ("requested->running", run.run_id, "dagster"),
        ("running->failed", run.run_id, "dagster"),
    ]
