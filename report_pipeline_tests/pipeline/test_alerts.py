"""Operator alerts: one mail per failed run with its link; overdue weeks are flagged."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email import policy

from dagster import (
    DagsterEventType,
    DagsterInstance,
    Failure,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)

from report_pipeline.appdb.reports import set_hold
from report_pipeline.appdb.store import AppStore, ReportResult
from report_pipeline.defs.alerts import operator_alert_on_run_failure, report_deadline_sensor
from report_pipeline.pipeline.alerts import overdue_reason
from report_pipeline.resources.configurable import AppDatabaseResource, MailerResource

WEEK = date(2024, 3, 4)
ON_TIME = datetime(2024, 3, 11, 8, tzinfo=UTC)  # Monday after, before 12:00
LATE = datetime(2024, 3, 11, 13, tzinfo=UTC)


@op
def breaks():
    raise Failure("object store unreachable")


@job
def fragile_job():
    breaks()


def _failure_context(instance, mailer):
    result = fragile_job.execute_in_process(
        instance=instance, raise_on_error=False, tags={"dagster/partition": WEEK.isoformat()}
    )
    run = instance.get_run_by_id(result.run_id)
    [event] = [e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE]
    return result.run_id, build_run_status_sensor_context(
        sensor_name="operator_alert_on_run_failure",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"mailer": mailer},
    )


def test_a_failed_run_mails_operators_once_with_its_link(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_OPERATOR_EMAILS", "ops@example.com, oncall@example.com")
    monkeypatch.setenv("REPORT_PIPELINE_UI_URL", "https://dagster.example.com/")
    outbox = tmp_path / "outbox"
    mailer = MailerResource(kind="outbox", outbox_dir=str(outbox), sender="rp@example.com")
    with DagsterInstance.ephemeral() as instance:
        run_id, context = _failure_context(instance, mailer)
        operator_alert_on_run_failure(context)
        operator_alert_on_run_failure(context)  # a re-evaluation must not mail twice
    [path] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_content()
    assert f"https://dagster.example.com/runs/{run_id}" in body
    assert "object store unreachable" in body and run_id in body
    assert "fragile_job for week 2024-03-04 failed" in message["Subject"]
    assert message["To"] == "ops@example.com, oncall@example.com"


def _app(settings) -> AppStore:
    app = AppStore(settings.database_url)
    app.upgrade()
    return app


def test_a_week_that_never_ran_is_overdue_only_after_the_deadline(settings) -> None:
    app = _app(settings)
    assert overdue_reason(app, ON_TIME, 12) is None
    week, why = overdue_reason(app, LATE, 12)
    assert week == WEEK and "no finished report" in why and "never started" in why


def test_a_rendered_week_without_emails_is_overdue_unless_held(settings) -> None:
    app = _app(settings)
    app.subscribe("ann@example.com")
    row = app.record_report(ReportResult(WEEK, "succeeded", documents_total=3))
    assert "no email run happened" in overdue_reason(app, LATE, 12)[1]
    set_hold(app, row.id, "3 of 3 failed")
    assert overdue_reason(app, LATE, 12) is None
    app.record_report(ReportResult(WEEK, "noop", documents_total=0))
    assert overdue_reason(app, LATE, 12) is None


def test_the_deadline_sensor_mails_once_per_week(settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_OPERATOR_EMAILS", "ops@example.com")
    monkeypatch.setenv("REPORT_PIPELINE_DEADLINE_HOURS", "0")  # any closed week is late now
    outbox = tmp_path / "outbox"
    resources = {
        "app_database": AppDatabaseResource(url=settings.database_url),
        "mailer": MailerResource(kind="outbox", outbox_dir=str(outbox)),
    }
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance, resources=resources)
        first = report_deadline_sensor(context)
        again = report_deadline_sensor(
            build_sensor_context(instance=instance, resources=resources, cursor=context.cursor)
        )
    assert "overdue" in first.skip_message and "already reported" in again.skip_message
    [path] = list(outbox.glob("*.eml"))
    assert "missed its deadline" in path.read_text()


def test_checks_and_sensors_load_beside_the_product_definitions() -> None:
    from dagster import Definitions

    from report_pipeline import definitions
    from report_pipeline.defs.alerts import alert_sensors
    from report_pipeline.defs.checks import asset_checks

    defs = definitions.defs
    merged = Definitions.merge(defs, Definitions(asset_checks=asset_checks, sensors=alert_sensors))
    Definitions.validate_loadable(merged)
    assert {s.name for s in merged.sensors} >= {
        "operator_alert_on_run_failure",
        "report_deadline_sensor",
        "email_on_report_sensor",
    }
