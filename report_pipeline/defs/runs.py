"""Run a week's chain through the Dagster instance, so every run shows in the UI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster import DagsterInstance, JobDefinition, execute_job, reconstructable

from report_pipeline.names import (
    COMPLETENESS_CHECK,
    EMAIL_JOB,
    EMAILS_BY_LAUNCHER,
    EMAILS_TAG,
    PARTITION_TAG,
    READ_AHEAD_JOB,
    WEEKLY_REPORT_JOB,
)
from report_pipeline.settings import Settings, set_process_variable


class RunFailed(RuntimeError):
    def __init__(self, message: str, run_id: str, report_run: bool) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.report_run = report_run  # the weekly report run (not the email run) failed


def weekly_report_job_def() -> JobDefinition:
    """Module-level target so step processes can rebuild the job."""
    from report_pipeline.definitions import defs

    return defs.resolve_job_def(WEEKLY_REPORT_JOB)


def read_ahead_job_def() -> JobDefinition:
    from report_pipeline.definitions import defs

    return defs.resolve_job_def(READ_AHEAD_JOB)


def email_job_def() -> JobDefinition:
    from report_pipeline.definitions import defs

    return defs.resolve_job_def(EMAIL_JOB)


def ensure_dagster_home(settings: Settings) -> None:
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    set_process_variable("DAGSTER_HOME", str(home))


def get_instance(dagster_home: Path) -> DagsterInstance:
    """DagsterInstance.get(), with a first creation of its storage serialized across processes."""
    from report_pipeline.storage.first_use import first_use_lock

    with first_use_lock(dagster_home):
        return DagsterInstance.get()


@dataclass(frozen=True)
class WeekRun:
    report_run_id: str
    email_run_id: str
    emails: dict


def run_week(
    instance: DagsterInstance, week: date, *, force_emails: bool = False, log_level: str = "INFO"
) -> WeekRun:
    """Materialize manifest -> features -> report (multiprocess), then the emails."""
    partition = week.isoformat()
    loggers = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    report = execute_job(
        reconstructable(weekly_report_job_def),
        instance=instance,
        run_config=loggers,
        tags={PARTITION_TAG: partition, EMAILS_TAG: EMAILS_BY_LAUNCHER},
    )
    if not report.success and not failed_only_on_completeness(report):
        raise RunFailed(
            f"weekly report run {report.run_id} failed: {_first_failure(report)}",
            report.run_id,
            report_run=True,
        )
    emails = run_email_job(instance, week, force=force_emails, log_level=log_level)
    if not emails.success:
        raise RunFailed(
            f"email run {emails.run_id} failed: {_first_failure(emails)}",
            emails.run_id,
            report_run=False,
        )
    return WeekRun(report.run_id, emails.run_id, emails.output_for_node("email_deliveries"))


def run_report_only(instance: DagsterInstance, week: date, *, replay_dead_letters: bool = False):
    """Materialize only `weekly_report` (features are read from the store) in one run."""
    from dagster import AssetKey

    return weekly_report_job_def().execute_in_process(
        run_config={
            "ops": {"weekly_report": {"config": {"replay_dead_letters": replay_dead_letters}}}
        },
        instance=instance,
        partition_key=week.isoformat(),
        raise_on_error=False,
        asset_selection=[AssetKey("weekly_report")],
    )


def run_email_job(
    instance: DagsterInstance,
    week: date,
    *,
    force: bool = False,
    replay: bool = False,
    log_level: str = "INFO",
):
    """The week's email run, in this process (the outbox makes it safe to repeat)."""
    return email_job_def().execute_in_process(
        run_config={
            "loggers": {"console": {"config": {"log_level": log_level}}},
            "ops": {"email_deliveries": {"config": {"force": force, "replay": replay}}},
        },
        instance=instance,
        partition_key=week.isoformat(),
        raise_on_error=False,
    )


def failed_only_on_completeness(result) -> bool:
    """True when the report was rendered and only the completeness check failed.

    That is a held week, not a broken run: the email step records the hold
    and sends nothing until an operator releases it.
    """
    failed = {event.step_key for event in result.all_events if event.is_step_failure}
    rendered = any(
        event.event_type_value == "ASSET_MATERIALIZATION"
        and event.asset_key
        and event.asset_key.to_user_string() == "weekly_report"
        for event in result.all_events
    )
    return rendered and bool(failed) and all(key.endswith(COMPLETENESS_CHECK) for key in failed)


def _first_failure(result) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            return _first_line(event.step_failure_data.error.message)
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        if event.is_run_failure and error is not None:
            return _first_line(error.message)
    return "see the run in the Dagster UI"


def first_failure(result) -> str:
    """The first failure's one-line message, for CLI errors and `run --json`."""
    return _first_failure(result)


def _first_line(text: str) -> str:
    line = (text.strip().splitlines() or ["unknown error"])[0]
    # A raised dagster Failure is already the one line meant for people: drop the class name.
    return re.sub(r"^dagster\.[\w.]*\.Failure: ", "", line)
