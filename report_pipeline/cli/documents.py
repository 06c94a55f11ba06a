"""`report-pipeline documents add|show`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from report_pipeline.appdb.read_audit import cli_actor, record_cli_read
from report_pipeline.cli.common import UserError, app_store, services
from report_pipeline.pipeline import documents as documents_service
from report_pipeline.settings import load_settings


@click.group()
def documents() -> None:
    """Add documents and inspect what was extracted."""


def _parse_created_at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"invalid --created-at {text!r}: expected ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@documents.command("add")
@click.argument("paths", nargs=-1, required=True)
@click.option("--customer", default="default", show_default=True, help="customer id")
@click.option("--created-at", help="ISO 8601 time of arrival (default: now, UTC)")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="store the file a symbolic link points to (refused by default)",
)
def documents_add(
    paths: tuple[str, ...], customer: str, created_at: str | None, follow_symlinks: bool
) -> None:
    """Store each file and catalog it; prints one document id per line."""
    moment = _parse_created_at(created_at)
    files = [Path(p) for p in paths]
    try:
        documents_service.validate_customer(customer)
        for path in files:  # every path is checked before anything is stored
            documents_service.open_document(path, follow_symlinks=follow_symlinks).close()
    except ValueError as error:
        raise UserError(str(error)) from None
    opened = services()
    limit = load_settings().max_document_bytes
    for path in files:
        try:
            record = documents_service.add_document(
                opened, path, customer, moment, max_bytes=limit, follow_symlinks=follow_symlinks
            )
        except documents_service.DocumentRefused as error:
            raise UserError(str(error)) from None
        click.echo(record.document_id)


@documents.command("show")
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--as", "as_name", help="who is reading, for the audit log (default: OS user)")
def documents_show(document_id: str, as_json: bool, as_name: str | None) -> None:
    """A document's record and its extracted features (OCR text: patient data, audited)."""
    limit = load_settings().max_pages
    view = documents_service.describe_document(services(), document_id, page_limit=limit)
    # The read is logged before anything is shown, found or not.
    record_cli_read(
        app_store(),
        cli_actor(as_name),
        "documents show",
        f"document:{document_id}",
        "success" if view else "not_found",
    )
    if view is None:
        raise UserError(f"unknown document id {document_id!r}")
    if as_json:
        click.echo(json.dumps(view, indent=2, default=str))
        return
    click.echo(documents_service.format_document(view))


COMMANDS = (documents,)
