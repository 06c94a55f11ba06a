"""`report-pipeline retention apply [--dry-run]`: delete patient data past the retention period."""

from __future__ import annotations

import click

from report_pipeline.cli.common import UserError, services
from report_pipeline.pipeline.retention import RetentionError, apply_retention, format_items
from report_pipeline.settings import load_settings


@click.group()
def retention() -> None:
    """Retention of cached features, manifests, reports and outbox files."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="list what would be deleted, delete nothing")
def retention_apply(dry_run: bool) -> None:
    """Delete what is older than REPORT_PIPELINE_RETENTION_DAYS (never the audit log)."""
    settings = load_settings()  # a bad value is a SettingsError: one line, exit 1
    days = settings.patient_data.retention_days
    outbox = settings.outbox_dir if settings.mailer == "outbox" else None
    try:
        items = apply_retention(services().store, outbox, days, dry_run=dry_run)
    except RetentionError as error:
        raise UserError(str(error)) from None
    click.echo(f"retention: {days} days")
    click.echo(format_items(items, dry_run))


COMMANDS = (retention,)
