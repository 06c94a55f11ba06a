"""`report-pipeline deliveries ...` and `report-pipeline ses-events ...`.

Replays and sends to newcomers go through the Dagster email job, so they show
in the UI with the same counts as a scheduled run.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import click

from report_pipeline.appdb.deliveries import DEAD, STATUSES, OutboxStore
from report_pipeline.cli_errors import UserError, app_store, week_or_error
from report_pipeline.settings import load_settings


@click.group()
def deliveries() -> None:
    """Inspect email deliveries; replay failed and dead ones; send to new subscribers."""


@deliveries.command("list")
@click.option("--week", "week_text", help="any date inside the week")
@click.option("--status", type=click.Choice(STATUSES), help="only this status")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def list_deliveries(week_text: str | None, status: str | None, as_json: bool) -> None:
    rows = OutboxStore(app_store()).list(
        week=week_or_error(week_text) if week_text else None, status=status)
    for delivery, report in rows:
        record = {"id": delivery.id, "week": report.week.isoformat(), "report_id": report.id,
                  "email": delivery.email, "status": delivery.status,
                  "attempts": delivery.attempts, "last_error": delivery.last_error,
                  "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None}
        if as_json:
            click.echo(json.dumps(record))
        else:
            click.echo("\t".join(str(record[k] if record[k] is not None else "") for k in (
                "week", "email", "status", "attempts", "last_error")))


def _email_run(week: date, *, replay: bool, force: bool) -> None:
    from dagster import DagsterInstance

    from report_pipeline.runs import ensure_dagster_home, run_email_job

    settings = load_settings()
    app = app_store()
    report = app.latest_report(week)
    if report is None or report.pdf_key is None:
        raise UserError(f"week {week} has no rendered report; run it first")
    ensure_dagster_home(settings)
    with DagsterInstance.get() as instance:
        result = run_email_job(instance, week, force=force, replay=replay)
    counts = OutboxStore(app).counts(report.id)
    click.echo(f"week {week}: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
               + f" (run {result.run_id})")
    if not result.success:
        dead = counts[DEAD]
        raise UserError(f"email run {result.run_id} failed" + (
            f": {dead} deliveries dead" if dead else "; see the run in the Dagster UI"))


@deliveries.command("replay")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--force", is_flag=True, help="also resend deliveries already sent")
def replay(week_text: str, force: bool) -> None:
    """Resend the week's failed and dead deliveries (sent ones only with --force)."""
    _email_run(week_or_error(week_text), replay=True, force=force)


@deliveries.command("send-new")
@click.option("--week", "week_text", required=True, help="any date inside the week")
def send_new(week_text: str) -> None:
    """Send the week's report to people who subscribed after it went out."""
    _email_run(week_or_error(week_text), replay=False, force=False)


@click.group("ses-events")
def ses_events() -> None:
    """SES bounce and complaint notifications."""


@ses_events.command("ingest")
@click.argument("paths", nargs=-1, required=True)
def ingest(paths: tuple[str, ...]) -> None:
    """Record events from JSON files (SNS envelopes, bare SES events, or lists of them).

    Files are trusted operator input: SNS signatures are not checked here.
    """
    from report_pipeline.appdb.suppressions import ingest_events
    from report_pipeline.delivery.bounces import InvalidNotification, events_from_document

    records = []
    for path in paths:
        try:
            records += events_from_document(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise UserError(f"cannot read {path}: {error.strerror}") from None
        except (ValueError, InvalidNotification) as error:
            raise UserError(f"{path}: {error}") from None
    result = ingest_events(app_store(), records, actor="cli:ses-events",
                           request_id=uuid.uuid4().hex)
    click.echo(f"{result.recorded} recorded, {result.duplicates} duplicates,"
               f" {len(result.suppressed)} suppressed")
    for address in result.suppressed:
        click.echo(f"suppressed {address}")
