"""The `doctor` command (registered on the `report-pipeline` group in cli.py)."""

from __future__ import annotations

import sys

import click

from report_pipeline.doctor import run_checks
from report_pipeline.settings import load_settings


@click.command("doctor")
@click.option("--quiet", "-q", is_flag=True, help="print problems only")
def doctor(quiet: bool) -> None:
    """Check every configured service; one line per finding, exit 1 when anything is wrong."""
    findings = run_checks(load_settings())
    for finding in findings:
        if not (quiet and finding.ok):
            click.echo(finding.line())
    problems = sum(1 for finding in findings if not finding.ok)
    if problems:
        click.echo(f"{problems} problem{'s' if problems > 1 else ''} found", err=True)
        sys.exit(1)


if __name__ == "__main__":
    doctor()
