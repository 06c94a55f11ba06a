"""The `report-pipeline` command."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from report_pipeline import documents as documents_service
from report_pipeline.appdb.store import SchemaOutdated
from report_pipeline.cli_errors import UserError
from report_pipeline.delivery.addresses import InvalidEmail, normalize_email
from report_pipeline.settings import Settings, load_settings
from report_pipeline.weeks import InvalidWeek, parse_week


def _services(settings: Settings) -> documents_service.Services:
    return documents_service.open_services(settings)


@click.group()
def cli() -> None:
    """Weekly document report pipeline: documents -> features -> PDF -> emails."""


# --- documents -------------------------------------------------------------

@cli.group()
def documents() -> None:
    """Add documents to the catalog and object store, and inspect them."""


def _parse_created_at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"invalid --created-at {text!r}: expected ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@documents.command("add")
@click.argument("paths", nargs=-1, required=True)
@click.option("--customer", default="default", show_default=True, help="customer id")
@click.option("--created-at", help="ISO 8601 time of arrival (default: now, UTC)")
def documents_add(paths: tuple[str, ...], customer: str, created_at: str | None) -> None:
    """Store each file and catalog it; prints one document id per line."""
    moment = _parse_created_at(created_at)
    files = [Path(p) for p in paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise UserError(f"no such file: {', '.join(missing)}")
    try:
        documents_service.validate_customer(customer)
    except ValueError as error:
        raise UserError(str(error)) from None
    services = _services(load_settings())
    for path in files:
        record = documents_service.add_document(services, path, customer, moment)
        click.echo(record.document_id)


@documents.command("show")
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def documents_show(document_id: str, as_json: bool) -> None:
    """A document's record and its extracted features."""
    view = documents_service.describe_document(_services(load_settings()), document_id)
    if view is None:
        raise UserError(f"unknown document id {document_id!r}")
    if as_json:
        click.echo(json.dumps(view, indent=2, default=str))
        return
    click.echo(documents_service.format_document(view))


# --- subscribers -----------------------------------------------------------

@cli.group()
def subscribers() -> None:
    """Manage who receives the weekly report."""


def _emails(raw: tuple[str, ...]) -> list[str]:
    try:
        return [normalize_email(text) for text in raw]
    except InvalidEmail as error:
        raise UserError(str(error)) from None


@subscribers.command("add")
@click.argument("emails", nargs=-1, required=True)
@click.option("--name", help="display name (with a single address)")
def subscribers_add(emails: tuple[str, ...], name: str | None) -> None:
    """Subscribe addresses (all are validated before any is added)."""
    addresses = _emails(emails)
    app = _services(load_settings()).app
    for address in addresses:
        app.subscribe(address, name if len(addresses) == 1 else None)
        click.echo(f"subscribed {address}")


@subscribers.command("list")
@click.option("--all", "include_removed", is_flag=True, help="include removed addresses")
def subscribers_list(include_removed: bool) -> None:
    for row in _services(load_settings()).app.subscribers(active_only=not include_removed):
        state = "active" if row.active else "removed"
        click.echo(f"{row.email}\t{row.name or ''}\t{state}")


@subscribers.command("remove")
@click.argument("email")
def subscribers_remove(email: str) -> None:
    (address,) = _emails((email,))
    if not _services(load_settings()).app.unsubscribe(address):
        raise UserError(f"{address} is not subscribed")
    click.echo(f"unsubscribed {address}")


# --- runs ------------------------------------------------------------------

@cli.command("run")
@click.option("--week", "week_text", required=True, help="any date inside the week (YYYY-MM-DD)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object at the end")
@click.option("--force-emails", is_flag=True, help="resend to addresses already mailed")
def run(week_text: str, as_json: bool, force_emails: bool) -> None:
    """Materialize manifest, features, report and emails for one week."""
    from report_pipeline.weekly_run import WeekRunError, run_and_summarize

    try:
        week = parse_week(week_text)
        summary = run_and_summarize(load_settings(), week, force_emails=force_emails)
    except (InvalidWeek, WeekRunError) as error:
        raise UserError(str(error)) from None
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(_format_summary(summary))


def _format_summary(summary: dict) -> str:
    lines = [
        f"week {summary['week']}: {summary['documents_total']} documents,"
        f" {summary['documents_failed']} failed",
        f"report: {summary['pdf_path'] or summary['report_uri']}",
        f"emails: {summary['emails_sent']} sent, {summary['emails_skipped']} skipped,"
        f" {summary['emails_failed']} failed",
    ]
    if summary.get("emails_held"):
        lines.append(f"emails held: {summary['emails_held']}")
    if summary.get("outbox_dir"):
        lines.append(f"outbox: {summary['outbox_dir']}")
    return "\n".join(lines)


@cli.command("demo")
@click.option("--week", "week_text", help="week to fill with samples (default: last week)")
def demo(week_text: str | None) -> None:
    """Create a realistic sample week, subscribers, and run the whole chain."""
    from report_pipeline.demo import run_demo
    from report_pipeline.weekly_run import WeekRunError

    try:
        week = parse_week(week_text) if week_text else None
        summary = run_demo(load_settings(), week)
    except (InvalidWeek, WeekRunError) as error:
        raise UserError(str(error)) from None
    click.echo(_format_summary(summary))


def _register_subcommands() -> None:
    from report_pipeline.api.cli import api, api_keys, db
    from report_pipeline.dead_letters_cli import dead_letters, reports
    from report_pipeline.delivery.cli import deliveries, ses_events
    from report_pipeline.doctor_cli import doctor

    for command in (api, db, api_keys, deliveries, ses_events, dead_letters, reports, doctor):
        cli.add_command(command)


_register_subcommands()


def main() -> None:
    try:
        cli(standalone_mode=True)
    except SchemaOutdated as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
