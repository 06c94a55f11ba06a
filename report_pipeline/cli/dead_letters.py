"""`report-pipeline dead-letters list|replay`."""

from __future__ import annotations

import json
from datetime import date

import click

from report_pipeline.appdb.read_audit import cli_actor, record_cli_read
from report_pipeline.cli.common import (
    UserError,
    app_store,
    local_instance,
    services,
    week_or_error,
)
from report_pipeline.pipeline.dead_letters import DeadLetter, read_dead_letters, week_counts
from report_pipeline.storage.object_store import ObjectNotFound


@click.group("dead-letters")
def dead_letters() -> None:
    """Documents that failed, and replaying them."""


@dead_letters.command("list")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--as", "as_name", help="who is reading, for the audit log (default: OS user)")
def list_dead_letters(week_text: str, as_json: bool, as_name: str | None) -> None:
    """The week's documents without features: id, key, stage, error, attempts, message.

    Keys and messages may name patients (uploaders' file names): the read is audited.
    """
    from report_pipeline.pipeline.features import read_week_features
    from report_pipeline.pipeline.manifest import read_manifest

    week, store = week_or_error(week_text), services().store
    try:
        entries, results = read_manifest(store, week), read_week_features(store, week)
    except ObjectNotFound:
        _audit_list(week, as_name, "not_found")
        raise UserError(f"week {week} has not been processed yet") from None
    _audit_list(week, as_name, "success")
    letters, counts = read_dead_letters(store, week), week_counts(entries, results)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "week": week.isoformat(),
                    "documents": counts.manifest,
                    "with_features": counts.with_features,
                    "dead_letters": [d.to_json() for d in letters],
                }
            )
        )
        return
    click.echo(
        f"week {week}: {counts.manifest} documents, {counts.with_features} with features,"
        f" {counts.dead_letters} dead letters"
    )
    for d in letters:
        click.echo(
            f"{d.document_id}\t{d.object_key}\t{d.stage}\t{d.error_class}\t"
            f"attempts={d.attempts}\t{d.message}"
        )


def _audit_list(week: date, as_name: str | None, outcome: str) -> None:
    record_cli_read(app_store(), cli_actor(as_name), "dead-letters list", f"week:{week}", outcome)


@dead_letters.command("replay")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def replay(week_text: str, as_json: bool) -> None:
    """Re-extract only the dead letters and re-render the report, as a Dagster run."""
    week = week_or_error(week_text)
    before = {d.document_id for d in _letters_or_error(week)}
    run_id = _rerender_report(week)
    after = read_dead_letters(services().store, week)
    summary = {
        "week": week.isoformat(),
        "run_id": run_id,
        "replayed": len(before),
        "recovered": sorted(before - {d.document_id for d in after}),
        "dead_letters": len(after),
    }
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"week {week}: replayed {summary['replayed']}, recovered"
            f" {len(summary['recovered'])}, {summary['dead_letters']} dead letters left"
            f" (run {run_id})"
        )


def _letters_or_error(week: date) -> list[DeadLetter]:
    try:
        return read_dead_letters(services().store, week)
    except ObjectNotFound:
        raise UserError(f"week {week} has not been processed yet") from None


def _rerender_report(week: date) -> str:
    """Materialize only `weekly_report`, replaying the dead letters, in one run."""
    from report_pipeline.defs.runs import failed_only_on_completeness, run_report_only

    with local_instance() as instance:
        result = run_report_only(instance, week, replay_dead_letters=True)
    if not result.success and not failed_only_on_completeness(result):
        raise UserError(f"report run {result.run_id} failed; see it in the Dagster UI")
    return result.run_id


COMMANDS = (dead_letters,)
