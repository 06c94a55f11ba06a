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
    click.echo(
        f"created key {issued.id} ({issued.name}, role {role}, prefix {issued.prefix});"
        " store it now, it is not shown again",
        err=True,
    )


@api_keys.command("revoke")
@click.argument("key", required=False)
@click.option("--id", "key_id", type=click.IntRange(1), help="the key's id (see `list`)")
@click.option("--prefix", help="the key's prefix (the part after rpk_)")
def api_keys_revoke(key: str | None, key_id: int | None, prefix: str | None) -> None:
    """Revoke one key: --id N or --prefix P (bare text only when it is unambiguous)."""
    from report_pipeline.appdb.api_keys import AlreadyRevoked, AmbiguousKey, revoke_api_key

    if sum(value is not None for value in (key, key_id, prefix)) != 1:
        raise UserError("name exactly one key: --id N or --prefix P")
    try:
        row = revoke_api_key(app_store(), key, key_id=key_id, prefix=prefix)
    except (AmbiguousKey, AlreadyRevoked) as error:
        raise UserError(str(error)) from None
    if row is None:
        shown = f"id {key_id}" if key_id is not None else repr(prefix or key)
        raise UserError(f"no API key {shown}: nothing was revoked (see `api-keys list`)")
    click.echo(f"revoked key {row.id} ({row.name}, prefix {row.prefix})")


@api_keys.command("list")
def api_keys_list() -> None:
    """Keys without their secrets: id, prefix, name, role, state."""
    from report_pipeline.appdb.api_keys import list_api_keys

    for row in list_api_keys(app_store()):
        state = "revoked" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}\t{row.name}\t{row.role}\t{state}")


COMMANDS = (api_keys,)
