"""`report-pipeline deliveries list|replay|send-new`.

Replays and sends to newcomers go through the Dagster email job, so they show
in the UI with the same counts as a scheduled run.
"""

from __future__ import annotations

import json
from datetime import date

import click

from report_pipeline.appdb.deliveries import STATUSES, OutboxStore
from report_pipeline.appdb.suppressions import suppression_reasons
from report_pipeline.cli.common import UserError, app_store, run_email_job, week_or_error


@click.group()
def deliveries() -> None:
    """Email deliveries: list, replay, send to newcomers."""


@deliveries.command("list")
@click.option("--week", "week_text", help="any date inside the week")
@click.option("--status", type=click.Choice(STATUSES), help="only this status")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def list_deliveries(week_text: str | None, status: str | None, as_json: bool) -> None:
    """Deliveries with status, attempts, last error, PDF version (sha256) and suppression."""
    app = app_store()
    rows = OutboxStore(app).list(
        week=week_or_error(week_text) if week_text else None, status=status
    )
    reasons = suppression_reasons(app, [delivery.email for delivery, _ in rows])
    for delivery, report in rows:
        record = {
            "id": delivery.id,
            "week": report.week.isoformat(),
            "report_id": report.id,
            "email": delivery.email,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "last_error": delivery.last_error,
            "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
            "pdf_sha256": delivery.pdf_sha256,
            "suppressed": reasons.get(delivery.email),
        }
        if as_json:
            click.echo(json.dumps(record))
        else:
            shown = {
                **record,
                "pdf_sha256": (delivery.pdf_sha256 or "")[:12],
                "suppressed": f"suppressed ({record['suppressed']})"
                if record["suppressed"]
                else None,
            }
            click.echo(
                "\t".join(
                    str(shown[k] if shown[k] is not None else "")
                    for k in (
                        "week",
                        "email",
                        "status",
                        "attempts",
                        "last_error",
                        "pdf_sha256",
                        "suppressed",
                    )
                )
            )


def _email_run(week: date, *, replay: bool, force: bool) -> None:
    app = app_store()
    report = app.latest_report(week)
    if report is None or report.pdf_key is None:
        raise UserError(f"week {week} has no rendered report; run it first")
    result = run_email_job(week, force=force, replay=replay)
    counts = OutboxStore(app).counts(report.id)
    click.echo(
        f"week {week}: "
        + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        + f" (run {result.run_id})"
    )
    if not result.success:
        from report_pipeline.defs.runs import first_failure

        raise UserError(f"email run {result.run_id} failed: {first_failure(result)}")


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


COMMANDS = (deliveries,)
