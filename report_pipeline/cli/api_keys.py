"""`report-pipeline api-keys create|list|revoke`: keys for service accounts."""

from __future__ import annotations

import click

from report_pipeline.api.auth import ROLES
from report_pipeline.cli.common import UserError, app_store


@click.group("api-keys")
def api_keys() -> None:
    """API keys for service accounts."""


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


COMMANDS = (api_keys,)
