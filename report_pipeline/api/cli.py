"""`report-pipeline api`, `db` and `api-keys`.

Registered in report_pipeline/cli.py.
"""

from __future__ import annotations

import click

from report_pipeline.api.auth import ROLES
from report_pipeline.cli_errors import UserError, app_store
from report_pipeline.settings import load_settings


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def api(host: str, port: int) -> None:
    """Serve the HTTP API with uvicorn (OpenAPI docs at /docs)."""
    import uvicorn

    from report_pipeline.api.app import create_app
    from report_pipeline.api.config import ConfigError

    try:
        app = create_app()
    except ConfigError as error:
        raise UserError(str(error)) from None
    # proxy_headers: behind a trusted proxy (FORWARDED_ALLOW_IPS) the audit log
    # records the real client address.
    uvicorn.run(app, host=host, port=port, proxy_headers=True)


@click.group("db")
def db() -> None:
    """The app database schema (Alembic migrations)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the app database to the newest schema (idempotent)."""
    from report_pipeline.appdb.store import database_revision, open_app_store

    store = open_app_store(load_settings().database_url, auto_upgrade=True)
    click.echo(f"app database at revision {database_revision(store.engine)}")


@click.group("api-keys")
def api_keys() -> None:
    """API keys for service accounts (stored hashed; shown once)."""


@api_keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", help="who or what uses the key")
def api_keys_create(role: str, name: str | None) -> None:
    """Create a key and print it once: it cannot be shown again."""
    from report_pipeline.appdb.api_keys import create_api_key

    issued = create_api_key(app_store(), role, name)
    click.echo(issued.key)
    click.echo(f"created key {issued.id} ({issued.name}, role {role}, prefix {issued.prefix});"
               " store it now, it is not shown again", err=True)


@api_keys.command("revoke")
@click.argument("key_id")
def api_keys_revoke(key_id: str) -> None:
    """Revoke a key by id or prefix."""
    from report_pipeline.appdb.api_keys import revoke_api_key

    row = revoke_api_key(app_store(), key_id)
    if row is None:
        raise UserError(f"no API key {key_id!r}")
    click.echo(f"revoked key {row.id} ({row.name})")


@api_keys.command("list")
def api_keys_list() -> None:
    """Keys without their secrets: id, prefix, name, role, state."""
    from report_pipeline.appdb.api_keys import list_api_keys

    for row in list_api_keys(app_store()):
        state = "revoked" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}\t{row.name}\t{row.role}\t{state}")
