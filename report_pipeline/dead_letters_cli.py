"""`report-pipeline dead-letters list|replay` and `report-pipeline reports release`."""

from __future__ import annotations

import getpass
import json
from datetime import date

import click

from report_pipeline.cli_errors import UserError, week_or_error
from report_pipeline.settings import load_settings


def _services():  # noqa: ANN202
    from report_pipeline.documents import open_services

    return open_services(load_settings())


@click.group("dead-letters")
def dead_letters() -> None:
    """Documents of a week that produced no features, and replaying them."""


@dead_letters.command("list")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def list_dead_letters(week_text: str, as_json: bool) -> None:
    from report_pipeline.dead_letters import read_dead_letters, week_counts
    from report_pipeline.features import read_week_features
    from report_pipeline.manifest import read_manifest
    from report_pipeline.storage.object_store import ObjectNotFound

    week, store = week_or_error(week_text), _services().store
    try:
        entries, results = read_manifest(store, week), read_week_features(store, week)
    except ObjectNotFound:
        raise UserError(f"week {week} has not been processed yet") from None
    letters, counts = read_dead_letters(store, week), week_counts(entries, results)
    if as_json:
        click.echo(json.dumps({
            "week": week.isoformat(), "documents": counts.manifest,
            "with_features": counts.with_features, "dead_letters": [d.to_json() for d in letters],
        }))
        return
    click.echo(f"week {week}: {counts.manifest} documents, {counts.with_features} with features,"
               f" {counts.dead_letters} dead letters")
    for d in letters:
        click.echo(f"{d.document_id}\t{d.object_key}\t{d.stage}\t{d.error_class}\t"
                   f"attempts={d.attempts}\t{d.message}")


@dead_letters.command("replay")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def replay(week_text: str, as_json: bool) -> None:
    """Re-extract only the dead letters and re-render the report, as a Dagster run."""
    from dagster import DagsterInstance

    from report_pipeline.dead_letters import read_dead_letters
    from report_pipeline.runs import ensure_dagster_home

    week, settings = week_or_error(week_text), load_settings()
    before = {d.document_id for d in _letters_or_error(week)}
    ensure_dagster_home(settings)
    with DagsterInstance.get() as instance:
        run_id = _run_report(instance, week, replay=True)
    after = read_dead_letters(_services().store, week)
    summary = {"week": week.isoformat(), "run_id": run_id, "replayed": len(before),
               "recovered": sorted(before - {d.document_id for d in after}),
               "dead_letters": len(after)}
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(f"week {week}: replayed {summary['replayed']}, recovered"
                   f" {len(summary['recovered'])}, {summary['dead_letters']} dead letters left"
                   f" (run {run_id})")


def _letters_or_error(week: date) -> list:
    from report_pipeline.dead_letters import read_dead_letters
    from report_pipeline.storage.object_store import ObjectNotFound

    try:
        return read_dead_letters(_services().store, week)
    except ObjectNotFound:
        raise UserError(f"week {week} has not been processed yet") from None


def _run_report(instance, week: date, replay: bool) -> str:  # noqa: ANN001
    """Materialize only `weekly_report` (features are read from the store) in one run."""
    from dagster import AssetKey

    from report_pipeline.runs import failed_only_on_completeness, weekly_report_job_def

    result = weekly_report_job_def().execute_in_process(
        run_config={"ops": {"weekly_report": {"config": {"replay_dead_letters": replay}}}},
        instance=instance, partition_key=week.isoformat(), raise_on_error=False,
        asset_selection=[AssetKey("weekly_report")],
    )
    if not result.success and not failed_only_on_completeness(result):
        raise UserError(f"report run {result.run_id} failed; see it in the Dagster UI")
    return result.run_id


# --- reports release --------------------------------------------------------

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

    week, services = week_or_error(week_text), _services()
    try:
        row = release_hold(services.app, week, released_by or getpass.getuser())
    except (ReportNotFound, NotHeld) as error:
        raise UserError(str(error)) from None
    click.echo(f"released week {week} (held: {row.hold_reason})")
    if no_send:
        return
    click.echo(json.dumps(_send_emails(week)))


def _send_emails(week: date) -> dict:
    from dagster import DagsterInstance

    from report_pipeline.runs import ensure_dagster_home, run_email_job

    ensure_dagster_home(load_settings())
    with DagsterInstance.get() as instance:
        result = run_email_job(instance, week)
    if not result.success:
        raise UserError(f"email run {result.run_id} failed; see it in the Dagster UI")
    return {"email_run_id": result.run_id, **result.output_for_node("email_deliveries")}
