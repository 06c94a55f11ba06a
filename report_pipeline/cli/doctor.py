"""`report-pipeline doctor`: is every configured service there and usable?"""

from __future__ import annotations

import sys

import click

from report_pipeline.settings import SettingsError, load_settings


@click.command("doctor")
@click.option("--quiet", "-q", is_flag=True, help="print problems only")
def doctor(quiet: bool) -> None:
    """Check every configured service (exit 1 on a problem)."""
    from report_pipeline.tooling.doctor import run_checks

    try:
        settings = load_settings()
    except SettingsError as error:
        click.echo(f"problem settings: {error} -> fix: correct the variable")
        sys.exit(1)
    findings = run_checks(settings)
    for finding in findings:
        if not (quiet and finding.ok):
            click.echo(finding.line())
    problems = sum(1 for finding in findings if finding.blocking)
    if problems:
        click.echo(f"{problems} problem{'s' if problems > 1 else ''} found", err=True)
        sys.exit(1)


COMMANDS = (doctor,)
