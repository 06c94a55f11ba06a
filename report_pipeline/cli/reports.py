"""`report-pipeline reports release`: operator actions on a week's report."""

from __future__ import annotations

import getpass
import json

import click

from report_pipeline.cli.common import UserError, app_store, run_email_job, week_or_error


@click.group("reports")
def reports() -> None:
    """Operator actions on a week's report."""


@reports.command("release")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--by", "released_by", default=None, help="operator name (default: login)")
@click.option("--no-send", is_flag=True, help="only release; the next email run sends")
@click.option("--customer", help="release only this customer's report (default: the `all` one)")
def release(week_text: str, released_by: str | None, no_send: bool, customer: str | None) -> None:
    """Release a report held by the completeness gate, then send its emails (exactly once)."""
    from report_pipeline.appdb.reports import NotHeld, ReportNotFound, release_hold
    from report_pipeline.appdb.scopes import InvalidCustomer, validate_scope

    week = week_or_error(week_text)
    try:
        scope = validate_scope(customer)
        row = release_hold(app_store(), week, released_by or getpass.getuser(), scope)
    except (ReportNotFound, NotHeld, InvalidCustomer) as error:
        raise UserError(str(error)) from None
    what = "" if scope == "all" else f" for customer {scope}"
    click.echo(f"released week {week}{what} (held: {row.hold_reason})")
    if no_send:
        return
    result = run_email_job(week)
    if not result.success:
        from report_pipeline.defs.runs import first_failure

        raise UserError(f"email run {result.run_id} failed: {first_failure(result)}")
    click.echo(
        json.dumps({"email_run_id": result.run_id, **result.output_for_node("email_deliveries")})
    )


@reports.command("send-test")
@click.option("--week", "week_text", required=True, help="any date inside the week")
@click.option("--to", "to", required=True, help="the address to send the test to")
@click.option("--name", default=None, help="greeting name (default: the address)")
@click.option("--customer", help="that customer's email (default: the `all` one)")
def send_test(week_text: str, to: str, name: str | None, customer: str | None) -> None:
    """Send this week's email to one address, exactly as subscribers get it, with [Test]
    in the subject. No delivery is recorded: the week's real send is unaffected."""
    from report_pipeline.appdb.scopes import InvalidCustomer, validate_scope
    from report_pipeline.delivery.addresses import InvalidEmail, normalize_email
    from report_pipeline.delivery.mailers import SendError
    from report_pipeline.delivery.settings import delivery_settings
    from report_pipeline.pipeline.proof import NoReportToTest, Proof
    from report_pipeline.resources import connections
    from report_pipeline.settings import load_settings

    week = week_or_error(week_text)
    settings = load_settings()
    try:
        address = normalize_email(to, settings.delivery.allow_special_use_domains)
        scope = validate_scope(customer)
    except (InvalidEmail, InvalidCustomer) as error:
        raise UserError(str(error)) from None
    opened = connections.open_services(settings)
    mailer = connections.open_mailer(connections.mailer_config(settings))
    try:
        sent = Proof(
            opened.app,
            opened.store,
            connections.sender_address(settings),
            week,
            address,
            delivery_settings(settings.delivery),
            name,
            scope,
        ).send(mailer)
    except NoReportToTest as error:
        raise UserError(str(error)) from None
    except SendError as error:
        raise UserError(f"the mail server refused the test email: {error}") from None
    where = f" (outbox: {settings.outbox_dir})" if settings.mailer == "outbox" else ""
    click.echo(f'sent "{sent.subject}" to {sent.to}{where}')


COMMANDS = (reports,)
