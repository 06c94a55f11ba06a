"""`report-pipeline reports release`: operator actions on a week's report."""

from __future__ import annotations

import getpass
import json

import click

from report_pipeline.cli.common import UserError, app_store, run_email_job, week_or_error


@click.group("reports")
def reports() -> None:
    """Operator actions on a week's report."""


@reports.command("release")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--by", "released_by", default=None, help="operator name (default: login)")
@click.option("--no-send", is_flag=True, help="only release; the next email run sends")
def release(week_text: str, released_by: str | None, no_send: bool) -> None:
    """Release a report held by the completeness gate, then send its emails (exactly once)."""
    from report_pipeline.appdb.reports import NotHeld, ReportNotFound, release_hold

    week = week_or_error(week_text)
    try:
        row = release_hold(app_store(), week, released_by or getpass.getuser())
    except (ReportNotFound, NotHeld) as error:
        raise UserError(str(error)) from None
    click.echo(f"released week {week} (held: {row.hold_reason})")
    if no_send:
        return
    result = run_email_job(week)
    if not result.success:
        raise UserError(f"email run {result.run_id} failed; see it in the Dagster UI")
    click.echo(json.dumps({"email_run_id": result.run_id,
                           **result.output_for_node("email_deliveries")}))


COMMANDS = (reports,)
