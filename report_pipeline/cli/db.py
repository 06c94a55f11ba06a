"""`report-pipeline db upgrade` (the app database schema) and `report-pipeline instance
prepare` (every store a first start creates: the Dagster instance storage and the app
database), run before the Dagster webserver, daemon and code server start."""

from __future__ import annotations

import click

from report_pipeline.settings import load_settings


@click.group("db")
def db() -> None:
    """The app database schema (Alembic migrations)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the app database to the newest schema (idempotent)."""
    _upgrade_app_database()


@click.group("instance")
def instance() -> None:
    """The Dagster instance storage under DAGSTER_HOME, with the app database."""


@instance.command("prepare")
def instance_prepare() -> None:
    """Create or migrate the Dagster instance storage and the app database (idempotent).

    Dagster's webserver, daemon and code server create the storage of a fresh
    DAGSTER_HOME themselves, without the lock every `report-pipeline` command
    takes; run this first (`make ui`, the deploy's migrate step) and they find it
    ready. Several at once are safe: one creates, the others wait and find it there.
    """
    from report_pipeline.cli.common import local_instance
    from report_pipeline.storage.first_use import first_use_lock

    settings = load_settings()
    with local_instance() as dagster:  # creates the storage under the first-use lock
        with first_use_lock(settings.dagster_home):
            dagster.upgrade()
        click.echo(f"dagster instance ready under {settings.dagster_home}")
    _upgrade_app_database()


def _upgrade_app_database() -> None:
    from report_pipeline.appdb.store import database_revision, open_app_store

    store = open_app_store(load_settings().database_url, auto_upgrade=True)
    click.echo(f"app database at revision {database_revision(store.engine)}")


COMMANDS = (db, instance)
