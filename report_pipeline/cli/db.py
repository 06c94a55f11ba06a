"""`report-pipeline db upgrade`: the app database schema (Alembic migrations)."""

from __future__ import annotations

import click

from report_pipeline.settings import load_settings


@click.group("db")
def db() -> None:
    """The app database schema (Alembic migrations)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the app database to the newest schema (idempotent)."""
    from report_pipeline.appdb.store import database_revision, open_app_store

    store = open_app_store(load_settings().database_url, auto_upgrade=True)
    click.echo(f"app database at revision {database_revision(store.engine)}")


COMMANDS = (db,)
