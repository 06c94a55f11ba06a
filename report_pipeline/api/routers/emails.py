"""/api/reports/emails: (re)send a report, scheduled-email rows and their status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from report_pipeline.api.deps import ApiContext, Audit, Authorized, Context
from report_pipeline.api.errors import ApiError
from report_pipeline.api.launcher import LaunchError
from report_pipeline.api.pagination import Paging, decode_cursor, encode_cursor, int_key
from report_pipeline.api.routers.common import ERRORS, created_or_existing, email_or_422
from report_pipeline.api.schemas import (
    MAX_INT,
    EmailIn,
    EmailOut,
    EmailPage,
    EmailPatch,
    SendIn,
    SendOut,
)
from report_pipeline.appdb.emails import (
    EmailNotFound,
    InvalidEmailTransition,
    StatusChange,
    emails_page,
    schedule_email,
    update_email_status,
)
from report_pipeline.appdb.reports import ReportNotFound, get_report
from report_pipeline.appdb.subscriptions import not_a_recipient
from report_pipeline.appdb.suppressions import suppression_reasons
from report_pipeline.pipeline.gate import report_held

router = APIRouter(prefix="/api/reports/emails", tags=["emails"], responses=ERRORS)
# GET and PATCH share the template /api/reports/emails/{id} (OpenAPI forbids two
# templates differing only in a parameter name): a report id for GET, an email id
# for PATCH.
ReportId = Annotated[int, Path(ge=1, le=MAX_INT, description="report id")]


@router.post(
    "/send/{report_id}",
    response_model=SendOut,
    status_code=202,
    responses={409: {"model": ERRORS[400]["model"]}},
)
def send_report(
    report_id: ReportId,
    access: Authorized,
    context: Context,
    audit: Audit,
    body: SendIn | None = None,
) -> SendOut:
    """Launch an email run for this report (even an older one of its week) and its scope.

    One email per (week, scope, address): addresses already mailed a report of
    this week and scope are skipped unless `force` (audited)."""
    force = bool(body and body.force)
    audit.target = f"report:{report_id} emails force:{str(force).lower()}"
    try:
        report = get_report(context.store, report_id)
    except ReportNotFound as error:
        raise ApiError(404, str(error)) from None
    if report.state not in ("succeeded", "held") or not report.pdf_key:
        raise ApiError(409, f"report {report_id} has no rendered PDF (state {report.state!r})")
    if held := report_held(report, mail_empty_weeks=context.settings.mail_empty_weeks):
        raise ApiError(409, held, code="held")
    try:
        run_id = context.launcher.launch_emails(report.week, force, report.id)
    except LaunchError as error:
        raise ApiError(503, str(error), code="launch_failed") from None
    return SendOut(report_id=report.id, week=report.week, run_id=run_id, force=force)


@router.post("", **created_or_existing(EmailOut, "already recorded"))
def record_email(
    body: EmailIn, response: Response, access: Authorized, context: Context, audit: Audit
) -> EmailOut:
    """Record a scheduled (pending) email for an active, unsuppressed subscriber.

    The same (report, address) is recorded once. An admin may record any other
    address with `override_subscription` (the audit row says so).
    """
    email = email_or_422(body.email, context.settings.delivery.allow_special_use_domains)
    audit.target = f"report:{body.report_id} email:{email}"
    if body.override_subscription:
        if "admin" not in access.principal.roles:
            raise ApiError(403, "only an admin may override the subscription check")
        audit.target += " override_subscription"
    elif _exists(context, body.report_id) and (reason := not_a_recipient(context.store, email)):
        raise ApiError(
            422, f"{reason}: only active subscribers receive reports", code="not_a_subscriber"
        )
    try:
        row, created = schedule_email(context.store, body.report_id, email, body.name)
    except ReportNotFound as error:
        raise ApiError(404, str(error)) from None
    if not created:
        response.status_code = 200
    return EmailOut.model_validate(row)


def _exists(context: ApiContext, report_id: int) -> bool:
    try:
        get_report(context.store, report_id)
    except ReportNotFound as error:
        raise ApiError(404, str(error)) from None
    return True


@router.get("/{id}", response_model=EmailPage)
def list_emails(
    report_id: Annotated[int, Path(alias="id", ge=1, le=MAX_INT, description="report id")],
    _: Authorized,
    context: Context,
    paging: Paging,
) -> EmailPage:
    filters = {"report_id": report_id}
    after = int_key(decode_cursor(paging.cursor, "emails", filters))
    try:
        page = emails_page(context.store, report_id, after=after, limit=paging.limit)
    except ReportNotFound as error:
        raise ApiError(404, str(error)) from None
    reasons = suppression_reasons(context.store, [row.email for row in page.items])
    items = [
        EmailOut.model_validate(row).model_copy(update={"suppressed": reasons.get(row.email)})
        for row in page.items
    ]
    return EmailPage(items=items, next_cursor=encode_cursor(page.next_key, "emails", filters))


@router.patch("/{id}", response_model=EmailOut, responses={409: {"model": ERRORS[400]["model"]}})
def patch_email(
    email_id: Annotated[int, Path(alias="id", ge=1, le=MAX_INT, description="email id")],
    body: EmailPatch,
    _: Authorized,
    context: Context,
    audit: Audit,
) -> EmailOut:
    """Worker callback: pending -> sent | failed, failed -> pending | sent; sent is final."""
    audit.target = f"email:{email_id} status:{body.status}"
    try:
        change = StatusChange(body.status, body.message_id, body.error)
        row = update_email_status(context.store, email_id, change)
    except EmailNotFound as error:
        raise ApiError(404, str(error)) from None
    except InvalidEmailTransition as error:
        raise ApiError(409, str(error), code="invalid_transition") from None
    return EmailOut.model_validate(row)
