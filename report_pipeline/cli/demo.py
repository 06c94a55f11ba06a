"""`report-pipeline demo`: a realistic sample week, subscribers, and the whole chain."""

from __future__ import annotations

import click

from report_pipeline.cli.common import week_or_error
from report_pipeline.cli.run import format_summary, run_and_summarize
from report_pipeline.settings import load_settings


@click.command("demo")
@click.option("--week", "week_text", help="week to fill with samples (default: last week)")
def demo(week_text: str | None) -> None:
    """A sample week and subscribers, run end to end."""
    from report_pipeline.tooling.demo import seed_demo

    settings = load_settings()
    week = seed_demo(settings, week_or_error(week_text) if week_text else None)
    click.echo(format_summary(run_and_summarize(settings, week)))


COMMANDS = (demo,)
