"""`report-pipeline subscribers add|list|remove`."""

from __future__ import annotations

import json

import click

from report_pipeline.appdb.scopes import InvalidCustomer, validate_scope
from report_pipeline.cli.common import UserError, app_store
from report_pipeline.delivery.addresses import InvalidEmail, normalize_email
from report_pipeline.settings import load_settings

CUSTOMER_HELP = "customer id of the scope (letters, digits, - _ .); `all` or none: every customer"


@click.group()
def subscribers() -> None:
    """Who receives the weekly report, and which scope (one customer, or all)."""


def _emails(raw: tuple[str, ...]) -> list[str]:
    allowed = load_settings().delivery.allow_special_use_domains
    try:
        return [normalize_email(text, allowed) for text in raw]
    except InvalidEmail as error:
        raise UserError(str(error)) from None


def _scope(customer: str | None) -> str:
    try:
        return validate_scope(customer)
    except InvalidCustomer as error:
        raise UserError(str(error)) from None


@subscribers.command("add")
@click.argument("emails", nargs=-1, required=True)
@click.option("--name", help="display name (with a single address)")
@click.option("--customer", help=CUSTOMER_HELP)
def subscribers_add(emails: tuple[str, ...], name: str | None, customer: str | None) -> None:
    """Subscribe addresses to a scope (all are validated before any is added)."""
    addresses, scope = _emails(emails), _scope(customer)
    app = app_store()
    for address in addresses:
        app.subscribe(address, name if len(addresses) == 1 else None, customer=scope)
        click.echo(f"subscribed {address} ({_label(scope)})")


@subscribers.command("list")
@click.option("--all", "include_removed", is_flag=True, help="include removed addresses")
@click.option("--customer", help="only this scope's subscriptions (`all` for the internal one)")
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
def subscribers_list(include_removed: bool, customer: str | None, as_json: bool) -> None:
    """Subscriptions, one per line: address, name, scope, state."""
    scope = _scope(customer) if customer is not None else None
    rows = app_store().subscribers(active_only=not include_removed, customer=scope)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "email": row.email,
                        "name": row.name,
                        "customer": row.customer,
                        "active": row.active,
                    }
                    for row in rows
                ]
            )
        )
        return
    for row in rows:
        state = "active" if row.active else "removed"
        click.echo(f"{row.email}\t{row.name or ''}\t{row.customer}\t{state}")


@subscribers.command("remove")
@click.argument("email")
@click.option(
    "--customer",
    help="remove only this scope (`all` for the internal one);"
    " without it the address leaves every scope",
)
def subscribers_remove(email: str, customer: str | None) -> None:
    """Unsubscribe one address (from one scope, or from all of its scopes)."""
    (address,) = _emails((email,))
    scope = _scope(customer) if customer is not None else None
    if not app_store().unsubscribe(address, customer=scope):
        where = f" to {_label(scope)}" if scope else ""
        raise UserError(f"{address} is not subscribed{where}")
    click.echo(f"unsubscribed {address}" + (f" from {_label(scope)}" if scope else ""))


def _label(scope: str) -> str:
    return "all customers" if scope == "all" else f"customer {scope}"


COMMANDS = (subscribers,)
