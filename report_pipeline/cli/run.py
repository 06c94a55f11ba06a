"""`report-pipeline run`: one week through the instance, summarized for people and scripts."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from report_pipeline.appdb.deliveries import STATUSES, OutboxStore
from report_pipeline.appdb.reports import RunState, apply_run_state
from report_pipeline.appdb.scopes import ALL
from report_pipeline.cli.common import (
    UserError,
    app_store,
    local_instance,
    services,
    week_or_error,
)
from report_pipeline.cli.progress import week_progress
from report_pipeline.cli.week_claim import WaitedFor, WeekUnderWay, week_claim
from report_pipeline.pipeline.gate import emails_held
from report_pipeline.pipeline.waiting import week_work_waiting
from report_pipeline.resources.connections import open_app_database
from report_pipeline.settings import Settings, SettingsError, load_settings
from report_pipeline.storage.disk_full import disk_full_line
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore
from report_pipeline.weeks import WeekNotRunnable, check_runnable

if TYPE_CHECKING:
    from report_pipeline.defs.runs import WeekRun


def run_and_summarize(
    settings: Settings,
    week: date,
    *,
    force_emails: bool = False,
    verbose: bool = False,
    wait: bool = False,
) -> dict:
    """Run the week's report and email jobs; the summary `run --json` prints.

    Without ``verbose`` Dagster's event lines go to the run log and the
    terminal shows progress by stage and batch (see cli.progress). A week
    another run has under way is refused (`WeekUnderWay`), or with ``wait``
    summarized from that run's outcome once it ends.
    """
    from report_pipeline.defs.runs import RunFailed, run_week

    began = time.monotonic()
    try:
        check_runnable(week, settings.first_week)
        with (
            # Progress first: it routes Dagster's log lines (e.g. retries of a database
            # that is down) to the run log, so the terminal shows one `error:` line.
            week_progress(run_log_path(settings), f"week {week}", verbose) as watch,
            local_instance() as instance,
            week_claim(settings.home, app_store(), instance, week, wait),
        ):
            watch()
            outcome = run_week(
                instance, week, force_emails=force_emails, log_level="DEBUG" if verbose else "INFO"
            )
    except (WeekNotRunnable, RunFailed) as error:
        if isinstance(error, RunFailed) and error.report_run:
            _mark_report_failed(settings, week, error.run_id)
        full = disk_full_line(str(error), settings.home)
        raise UserError(full or f"{error} (details: {run_log_path(settings)})") from None
    except WeekUnderWay as error:
        raise WeekNotDone(str(error), EXIT_UNDER_WAY) from None
    except WaitedFor as waited:
        outcome = waited_summary(services(), week)
        return {**_summary(settings, week, outcome, began), "waited_for_run_id": waited.run_id}
    return _summary(settings, week, outcome, began)


def waited_summary(opened, week: date) -> WeekRun:
    """The outcome of a run this process waited for, as the databases tell it."""
    from report_pipeline.defs.runs import WeekRun

    report = opened.app.latest_report(week)
    counts = OutboxStore(opened.app).counts(report.id) if report else {}
    emails = {
        "sent": counts.get("sent", 0),
        "skipped": 0,
        "failed": counts.get("failed", 0) + counts.get("dead", 0),
    }
    return WeekRun(report.dagster_run_id if report else None, None, emails)


def _summary(settings: Settings, week: date, outcome, began: float) -> dict:
    opened = services()
    report = opened.app.latest_report(week)
    pdf_path = opened.store.local_path(report.pdf_key) if report and report.pdf_key else None
    return {
        "week": week.isoformat(),
        "report_uri": report.report_uri if report else None,
        "pdf_path": str(pdf_path) if pdf_path else None,
        "pdf_sha256": report.pdf_sha256 if report else None,
        "documents_total": report.documents_total if report else 0,
        "documents_failed": report.documents_failed if report else 0,
        "emails_sent": outcome.emails["sent"],
        "emails_skipped": outcome.emails["skipped"],
        "emails_failed": outcome.emails["failed"],
        "emails_held": emails_held(opened.app, week, mail_empty_weeks=settings.mail_empty_weeks),
        "outbox_dir": str(settings.outbox_dir) if settings.mailer == "outbox" else None,
        "report_run_id": outcome.report_run_id,
        "email_run_id": outcome.email_run_id,
        "needs_review": _needs_review(opened.store, week),
        "work_waiting": week_work_waiting(opened.app, week),
        "seconds": round(time.monotonic() - began, 1),
        "scopes": _scopes(
            opened, week, outcome.emails.get("scopes", []), settings.mail_empty_weeks
        ),
    }


def _mark_report_failed(settings: Settings, week: date, run_id: str) -> None:
    """No daemon sensor watches a one-shot run: mark the week's report failed here,
    or it would stay `running` for the API and the deadline alert."""
    try:
        apply_run_state(open_app_database(settings), RunState(week, run_id, "failed"))
    except Exception:  # noqa: BLE001 - the run's own failure is the error to report
        pass


# Exit statuses of `run` (README "Command line"): a scheduler alarms on anything but 0.
EXIT_OK = 0  # rendered, mailed (or an empty week, not mailed by design), nothing failed
EXIT_FAILED = 1  # a run failed, a setting is wrong, or emails are still undelivered
EXIT_USAGE = 2  # click's own status for a bad option
EXIT_HELD = 3  # rendered, but the completeness gate holds the emails (of a customer or all)
EXIT_DOCUMENTS_FAILED = 4  # rendered and mailed, but some documents could not be read
EXIT_UNDER_WAY = 5  # another run of the week is in progress; this one did nothing


class WeekNotDone(UserError):
    """The week ran, but needs a person: one line, a status of its own."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def week_problem(summary: dict) -> WeekNotDone | None:
    """What about the finished week needs a person, most urgent first; None when nothing."""
    week = summary["week"]
    if summary["emails_failed"]:
        return WeekNotDone(
            f"week {week}: {summary['emails_failed']} emails not delivered yet; run the same"
            " command again (nobody is mailed twice) or"
            f" `report-pipeline deliveries replay --week {week}`",
            EXIT_FAILED,
        )
    held = _held_scopes(summary)
    if held:
        return WeekNotDone(f"week {week} emails held{_whose(held)}: {held[0][1]}", EXIT_HELD)
    if summary["documents_failed"]:
        return WeekNotDone(
            f"week {week}: {summary['documents_failed']} of {summary['documents_total']}"
            " documents failed (the report was mailed and lists them); see"
            f" `report-pipeline dead-letters list --week {week}`",
            EXIT_DOCUMENTS_FAILED,
        )
    return None


def _whose(held: list[tuple[str, str]]) -> str:
    """Which customers' emails are held, for the one line (the whole week needs no name)."""
    customers = [customer for customer, _ in held if customer != ALL]
    if not customers:
        return ""
    names = ", ".join(customers[:3]) + (f" and {len(customers) - 3} more" if customers[3:] else "")
    label = f"customer{'s' if len(customers) > 1 else ''} {names}"
    return f" (also for {label})" if held[0][0] == ALL else f" for {label}"


def _held_scopes(summary: dict) -> list[tuple[str, str]]:
    """(customer, reason) of each scope the gate holds; an empty week is not held, only quiet."""
    scopes = summary.get("scopes") or [
        {
            "customer": ALL,
            "documents_total": summary["documents_total"],
            "emails_held": summary["emails_held"],
        }
    ]
    return [
        (scope["customer"], scope["emails_held"])
        for scope in scopes
        if scope["emails_held"] and scope["documents_total"]
    ]


def run_log_path(settings: Settings) -> Path:
    """Where Dagster's event lines of CLI runs go when they are not shown."""
    return settings.home / "logs" / "cli-runs.log"


def _needs_review(store: ObjectStore, week: date) -> int | None:
    from report_pipeline.pipeline.published import read_published_manifest

    try:
        return read_published_manifest(store, week)["summary"].get("needs_review")
    except (ObjectNotFound, KeyError, ValueError):
        return None


def _scopes(opened, week: date, sent: list[dict], mail_empty_weeks: bool) -> list[dict]:
    """One entry per report scope of the week: `all` first, then each customer."""
    by_scope = {row["customer"]: row for row in sent}
    scopes = []
    for report in opened.app.week_reports(week):
        path = opened.store.local_path(report.pdf_key) if report.pdf_key else None
        row = by_scope.get(report.scope, {})
        scopes.append(
            {
                "customer": report.scope,
                "pdf_path": str(path) if path else None,
                "documents_total": report.documents_total or 0,
                "documents_failed": report.documents_failed or 0,
                "emails_sent": row.get("emails_sent", 0),
                "emails_held": row.get("emails_held")
                or emails_held(opened.app, week, report.scope, mail_empty_weeks=mail_empty_weeks),
            }
        )
    return scopes


def format_summary(summary: dict) -> str:
    review = summary.get("needs_review")
    waited = summary.get("waited_for_run_id")
    lines = [f"waited for run {waited}, already under way; its outcome:"] if waited else []
    lines += [
        f"week {summary['week']}: {summary['documents_total']} documents,"
        f" {summary['documents_failed']} failed"
        + (f", {review} to review" if review else "")
        + (f" ({summary['seconds']} s)" if summary.get("seconds") is not None else ""),
        f"report: {summary['pdf_path'] or summary['report_uri']}",
        f"emails: {summary['emails_sent']} sent, {summary['emails_skipped']} skipped,"
        f" {summary['emails_failed']} failed",
    ]
    if summary.get("emails_held"):
        lines.append(f"emails held: {summary['emails_held']}")
    if summary.get("outbox_dir"):
        lines.append(f"outbox: {summary['outbox_dir']}")
    if summary.get("work_waiting"):
        lines.append(summary["work_waiting"])
    return "\n".join(lines)


def known_counts(week: date | None) -> dict:
    """What the databases say about the week after a failed run; {} if they cannot tell."""
    if week is None:
        return {}
    try:
        opened = services()
        report = opened.app.latest_report(week)
        if report is None:
            return {}
        counts = OutboxStore(opened.app).counts(report.id)
        waiting = week_work_waiting(opened.app, week)
    except Exception:
        return {}
    return {
        "work_waiting": waiting,
        "report_id": report.id,
        "pdf_sha256": report.pdf_sha256,
        "documents_total": report.documents_total,
        "documents_failed": report.documents_failed,
        **{f"emails_{status}": counts[status] for status in STATUSES},
    }


def failure_summary(week: date | None, error: str) -> dict:
    """`run --json` on failure: ok false, the error line, and whatever counts are known."""
    return {
        "ok": False,
        "error": error,
        "week": week.isoformat() if week else None,
        **known_counts(week),
    }


def _fail(week: date | None, message: str, as_json: bool) -> None:
    """What a failed run prints before its `error:` line: the JSON answer (a scheduler
    reading stdout gets one, stderr the same line), and any work the fault left waiting."""
    summary = failure_summary(week, message)
    if as_json:
        click.echo(json.dumps(summary))
    if summary.get("work_waiting"):
        click.echo(summary["work_waiting"], err=True)


@click.command("run")
@click.option(
    "--week",
    "week_text",
    required=True,
    help="any date inside the week (YYYY-MM-DD), or `last` for the last closed week",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="print exactly one JSON object (also on failure: ok false, error, counts)",
)
@click.option("--force-emails", is_flag=True, help="resend to addresses already mailed")
@click.option("-v", "--verbose", is_flag=True, help="show Dagster's event lines, not progress")
@click.option(
    "--wait",
    is_flag=True,
    help="if a run of the week is under way, wait for it and report its outcome",
)
def run(week_text: str, as_json: bool, force_emails: bool, verbose: bool, wait: bool) -> None:
    """Run one week: manifest, features, report, emails.

    Exit status: 0 done, 1 failed, 2 bad option, 3 emails held, 4 documents failed,
    5 another run of the week is under way (nothing done; see --wait).
    """
    week: date | None = None
    try:
        week = week_or_error(week_text)
        summary = run_and_summarize(
            load_settings(), week, force_emails=force_emails, verbose=verbose, wait=wait
        )
    except WeekNotDone as error:
        if as_json:
            click.echo(json.dumps(failure_summary(week, error.format_message())))
        raise  # another run has the week: its work is not waiting for this one
    except (click.ClickException, SettingsError) as error:
        message = error.format_message() if isinstance(error, click.ClickException) else str(error)
        _fail(week, message, as_json)
        raise UserError(message) from None
    except Exception as error:
        # A full disk fails wherever the next write is (a step, Dagster's own storage):
        # one line saying what to free, not the traceback of whichever write it was.
        full = disk_full_line(error, load_settings().home)
        _fail(week, full or f"{type(error).__name__}: {error}", as_json)
        if full:
            raise UserError(full) from None
        raise
    problem = week_problem(summary)
    if as_json:
        failed = {"ok": False, "error": problem.format_message()} if problem else {"ok": True}
        click.echo(json.dumps({**failed, **summary}))
    else:
        click.echo(format_summary(summary))
    if problem:
        raise problem


COMMANDS = (run,)
