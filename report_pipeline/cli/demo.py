"""`report-pipeline demo`: a realistic sample week, subscribers, and the whole chain."""

from __future__ import annotations

import json

import click

from report_pipeline.cli.common import week_or_error
from report_pipeline.cli.run import format_summary, run_and_summarize
from report_pipeline.settings import load_settings


@click.command("demo")
@click.option("--week", "week_text", help="week to fill with samples (default: last week)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object at the end")
@click.option("-v", "--verbose", is_flag=True, help="show Dagster's event lines, not progress")
def demo(week_text: str | None, as_json: bool, verbose: bool) -> None:
    """A sample week and subscribers, run end to end (two earlier weeks give the trends)."""
    from report_pipeline.tooling.demo import publish_history, seed_demo

    settings = load_settings()
    week = seed_demo(settings, week_or_error(week_text) if week_text else None)
    history = publish_history(settings, week)
    if history and not as_json:
        click.echo(
            f"earlier weeks published for the trends: {', '.join(w.isoformat() for w in history)}",
            err=True,
        )
    summary = run_and_summarize(settings, week, verbose=verbose)
    click.echo(json.dumps(summary) if as_json else format_summary(summary))


COMMANDS = (demo,)
