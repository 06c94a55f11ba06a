"""`report-pipeline run`: one week through the instance, summarized for people and scripts."""

from __future__ import annotations

from datetime import date, datetime, timezone

from dagster import DagsterInstance

from report_pipeline.documents import open_services
from report_pipeline.gate import emails_held
from report_pipeline.runs import RunFailed, ensure_dagster_home, run_week
from report_pipeline.settings import Settings
from report_pipeline.weeks import week_start_of


class WeekRunError(ValueError):
    pass


def check_runnable(settings: Settings, week: date) -> None:
    current = week_start_of(datetime.now(timezone.utc).date())
    if week < settings.first_week:
        raise WeekRunError(
            f"week {week} is before the first week {settings.first_week}"
            " (REPORT_PIPELINE_FIRST_WEEK)"
        )
    if week > current:
        raise WeekRunError(f"week {week} has not started yet")


def run_and_summarize(settings: Settings, week: date, *, force_emails: bool = False) -> dict:
    check_runnable(settings, week)
    ensure_dagster_home(settings)
    services = open_services(settings)
    try:
        with DagsterInstance.get() as instance:
            outcome = run_week(instance, week, force_emails=force_emails)
    except RunFailed as error:
        raise WeekRunError(str(error)) from None
    report = services.app.latest_report(week)
    pdf_path = services.store.local_path(report.pdf_key) if report and report.pdf_key else None
    return {
        "week": week.isoformat(),
        "report_uri": report.report_uri if report else None,
        "pdf_path": str(pdf_path) if pdf_path else None,
        "documents_total": report.documents_total if report else 0,
        "documents_failed": report.documents_failed if report else 0,
        "emails_sent": outcome.emails["sent"],
        "emails_skipped": outcome.emails["skipped"],
        "emails_failed": outcome.emails["failed"],
        "emails_held": emails_held(services.app, week),
        "outbox_dir": str(settings.outbox_dir) if settings.mailer == "outbox" else None,
        "report_run_id": outcome.report_run_id,
        "email_run_id": outcome.email_run_id,
    }
