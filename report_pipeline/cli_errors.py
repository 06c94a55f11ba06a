"""What every `report-pipeline` command shares: one-line errors, weeks, the app database."""

from __future__ import annotations

from datetime import date

import click

from report_pipeline.appdb.store import AppStore, open_app_store
from report_pipeline.settings import load_settings
from report_pipeline.weeks import InvalidWeek, parse_week


class UserError(click.ClickException):
    """A one-line error for the user; exit status 1, no traceback."""

    def show(self, file=None) -> None:  # noqa: ANN001
        click.echo(f"error: {self.format_message()}", err=True)


def week_or_error(text: str) -> date:
    try:
        return parse_week(text)
    except InvalidWeek as error:
        raise UserError(str(error)) from None


def app_store() -> AppStore:
    """The configured app database; only the embedded one migrates itself."""
    settings = load_settings()
    return open_app_store(settings.database_url, auto_upgrade=not settings.database_is_external)
