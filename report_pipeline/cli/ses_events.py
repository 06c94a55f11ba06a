"""`report-pipeline ses-events ingest`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import click

from report_pipeline.cli.common import UserError, app_store


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
    result = ingest_events(
        app_store(), records, actor="cli:ses-events", request_id=uuid.uuid4().hex
    )
    click.echo(
        f"{result.recorded} recorded, {result.duplicates} duplicates,"
        f" {len(result.suppressed)} suppressed"
    )
    for address in result.suppressed:
        click.echo(f"suppressed {address}")


COMMANDS = (ses_events,)
