"""What every `report-pipeline` command shares: one-line errors, weeks, services, local runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from report_pipeline.appdb.store import AppStore
from report_pipeline.resources.connections import Services, open_app_database, open_services
from report_pipeline.settings import load_settings
from report_pipeline.weeks import InvalidWeek, last_closed_week, parse_week

if TYPE_CHECKING:
    from dagster import DagsterInstance


class UserError(click.ClickException):
    """A one-line error for the user; exit status 1, no traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


LAST_WEEK = "last"


def week_or_error(text: str) -> date:
    """Any date of the week, or `last`: the last closed week (for schedulers)."""
    if text.strip().lower() == LAST_WEEK:
        return last_closed_week()
    try:
        return parse_week(text)
    except InvalidWeek as error:
        raise UserError(str(error)) from None


def app_store() -> AppStore:
    """The configured app database; only the embedded one migrates itself."""
    return open_app_database(load_settings())


def services() -> Services:
    return open_services(load_settings())


@contextmanager
def local_instance() -> Iterator[DagsterInstance]:
    """The Dagster instance under DAGSTER_HOME, so CLI runs show in the UI."""
    from report_pipeline.defs.runs import ensure_dagster_home, get_instance

    settings = load_settings()
    ensure_dagster_home(settings)
    try:
        instance = get_instance(settings.dagster_home)
    except Exception as error:  # e.g. its PostgreSQL is down: one line, not Dagster's traceback
        raise UserError(
            f"cannot open the Dagster instance ({settings.dagster_home / 'dagster.yaml'}):"
            f" {root_cause(error)}{_repair_hint(error)}"
        ) from None
    with instance:
        yield instance


def _repair_hint(error: BaseException) -> str:
    """Two version heads: a state broken by interleaved first starts, which no retry heals."""
    if "more than one head" in str(error) or "more than one head" in root_cause(error):
        return "; run `report-pipeline doctor`: it names the broken store and its repair"
    return ""


def root_cause(error: BaseException) -> str:
    """The first line of the innermost cause: what failed, not the wrappers around it."""
    while error.__cause__ is not None:
        error = error.__cause__
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def run_email_job(week: date, *, force: bool = False, replay: bool = False) -> Any:
    """The week's email run in this process (the outbox makes it safe to repeat)."""
    from report_pipeline.defs import runs

    with local_instance() as instance:
        return runs.run_email_job(instance, week, force=force, replay=replay)
