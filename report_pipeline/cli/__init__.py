"""The `report-pipeline` command: one module per command group, registered here."""

from __future__ import annotations

import sys

import click

from report_pipeline.appdb.store import SchemaOutdated
from report_pipeline.cli import (
    api,
    api_keys,
    db,
    dead_letters,
    deliveries,
    demo,
    doctor,
    documents,
    reports,
    retention,
    run,
    ses_events,
    subscribers,
)
from report_pipeline.settings import SettingsError


class _InOrder(click.Group):
    """Commands listed in the order of the work, not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_InOrder)
def cli() -> None:
    """Weekly document report pipeline: documents -> features -> PDF -> emails."""


for _module in (
    documents,
    subscribers,
    run,
    demo,
    reports,
    dead_letters,
    deliveries,
    ses_events,
    retention,
    doctor,
    db,
    api_keys,
    api,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except (SchemaOutdated, SettingsError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
