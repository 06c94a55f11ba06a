"""`report-pipeline deliveries list|replay|send-new|work`.

Replays and sends to newcomers go through the Dagster email job, so they show
in the UI with the same counts as a scheduled run. `work` is a sender worker:
it sends whatever the outbox has due, for every week and scope.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from datetime import date

import click

from report_pipeline.appdb.deliveries import STATUSES, OutboxStore
from report_pipeline.appdb.suppressions import suppression_reasons
from report_pipeline.cli.common import UserError, app_store, run_email_job, week_or_error


def _bounded(flag: str, bounds: click.ParamType, default: float, help: str) -> Callable:
    """An option held to `bounds`, its default shown in --help."""
    return click.option(flag, type=bounds, default=default, show_default=True, help=help)


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


@deliveries.command("work")
@_bounded(
    "--concurrency", click.IntRange(1, 64), 1, "sender threads, each with its own mail connection"
)
@click.option("--until-idle", is_flag=True, help="exit once nothing is left to send")
@_bounded(
    "--poll-seconds",
    click.FloatRange(0.05, 60),
    1.0,
    "longest wait between two looks at the outbox",
)
@click.option("--json", "as_json", is_flag=True, help="print the summary as one JSON object")
def work(concurrency: int, until_idle: bool, poll_seconds: float, as_json: bool) -> None:
    """Send due deliveries of every week and scope; runs until SIGTERM unless --until-idle.

    Run any number of these, on any machines: they share the outbox (leased
    claims) and one send rate (Redis or the app database). On SIGTERM or
    Ctrl-C each sender finishes the message in hand and hands the rest back.
    """
    from report_pipeline.delivery.worker import WorkerSettings
    from report_pipeline.pipeline.sender_workers import run_sender_workers
    from report_pipeline.settings import load_settings

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    try:
        settings = load_settings()
        app_store()  # the schema check (and the embedded database's migration) up front
        click.echo(f"deliveries work: {concurrency} sender(s) started", err=True)
        result = run_sender_workers(
            settings, concurrency, stop, WorkerSettings(until_idle, poll_seconds)
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    failed = bool(result.errors) or (until_idle and result.dead > 0)
    if as_json:
        click.echo(json.dumps({"ok": not failed, **vars(result)}))
    else:
        click.echo(
            f"deliveries work: {result.sent} sent, {result.failed} to retry, {result.dead} dead"
            f" by {result.senders} sender(s) in {result.seconds:.1f} s (stopped: {result.stopped})"
        )
    if result.errors:
        raise UserError(result.errors[0])
    if failed:
        raise UserError(
            f"{result.dead} deliveries went dead; see `report-pipeline deliveries list"
            " --status dead`"
        )


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

COMMANDS = (deliveries,)
