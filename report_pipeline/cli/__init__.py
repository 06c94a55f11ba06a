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
from report_pipeline.settings import SettingsError, load_settings
from report_pipeline.storage.disk_full import disk_full_line


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
    except Exception as error:  # any command on a full disk: what to free, not a traceback
        full = disk_full_line(error, load_settings().home)
        if full is None:
            raise
        click.echo(f"error: {full}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
