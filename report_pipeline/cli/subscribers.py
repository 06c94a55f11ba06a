"""`report-pipeline subscribers add|list|remove`."""

from __future__ import annotations

import click

from report_pipeline.cli.common import UserError, app_store
from report_pipeline.delivery.addresses import InvalidEmail, normalize_email


@click.group()
def subscribers() -> None:
    """Who receives the weekly report."""


def _emails(raw: tuple[str, ...]) -> list[str]:
    try:
        return [normalize_email(text) for text in raw]
    except InvalidEmail as error:
        raise UserError(str(error)) from None


@subscribers.command("add")
@click.argument("emails", nargs=-1, required=True)
@click.option("--name", help="display name (with a single address)")
def subscribers_add(emails: tuple[str, ...], name: str | None) -> None:
    """Subscribe addresses (all are validated before any is added)."""
    addresses = _emails(emails)
    app = app_store()
    for address in addresses:
        app.subscribe(address, name if len(addresses) == 1 else None)
        click.echo(f"subscribed {address}")


@subscribers.command("list")
@click.option("--all", "include_removed", is_flag=True, help="include removed addresses")
def subscribers_list(include_removed: bool) -> None:
    """Subscribed addresses, one per line: address, name, state."""
    for row in app_store().subscribers(active_only=not include_removed):
        state = "active" if row.active else "removed"
        click.echo(f"{row.email}\t{row.name or ''}\t{state}")


@subscribers.command("remove")
@click.argument("email")
def subscribers_remove(email: str) -> None:
    """Unsubscribe one address."""
    (address,) = _emails((email,))
    if not app_store().unsubscribe(address):
        raise UserError(f"{address} is not subscribed")
    click.echo(f"unsubscribed {address}")


COMMANDS = (subscribers,)
