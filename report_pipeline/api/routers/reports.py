"""/api/reports: request a week's report, read reports, worker callbacks."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from report_pipeline.api.deps import ApiContext, Audit, Authorized, Context
from report_pipeline.api.errors import ApiError
from report_pipeline.api.launcher import LaunchError
from report_pipeline.api.pagination import Paging, decode_cursor, encode_cursor, int_key
from report_pipeline.api.routers.common import ERRORS, error_responses, week_or_422
from report_pipeline.api.schemas import (
    MAX_INT,
    ReportConflictBody,
    ReportIn,
    ReportOut,
    ReportPage,
    ReportState,
    ReportVersionOut,
    ResultIn,
    StateIn,
)
from report_pipeline.appdb.audit import AuditEvent
from report_pipeline.appdb.reports import (
    InvalidResult,
    InvalidTransition,
    NotHeld,
    ReportConflict,
    ReportNotFound,
    ResultImmutable,
    attach_run,
    check_result,
    get_report,
    release_hold,
    reports_page,
    request_report,
    set_state,
    update_result,
)
from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.scopes import ALL, InvalidCustomer, validate_scope
from report_pipeline.appdb.versions import list_versions
from report_pipeline.pipeline.gate import report_held
from report_pipeline.pipeline.published import late_arrivals_of
from report_pipeline.pipeline.waiting import week_work_waiting
from report_pipeline.weeks import WeekNotRunnable, check_runnable

log = logging.getLogger(__name__)


def scope_or_422(text: str) -> str:
    try:
        return validate_scope(text)
    except InvalidCustomer as error:
        raise ApiError(422, str(error), code="invalid_customer") from None


router = APIRouter(prefix="/api/reports", tags=["reports"], responses=ERRORS)
ReportId = Annotated[int, Path(ge=1, le=MAX_INT)]
FORCE_ROLES = frozenset({"admin", "operator"})
CONFLICT = {409: {"model": ReportConflictBody, "description": "the week has a report"}}


def report_out(context: ApiContext, row: Report, *, versions: bool = True) -> ReportOut:
    """One report; with its versions except in listings (one more query per report)."""
    out = ReportOut.model_validate(row)
    out.emails_held = bool(row.hold_reason) and row.released_at is None
    ttl = context.config.download_ttl_seconds
    if row.pdf_key:
        out.download_url = context.object_store.download_url(row.pdf_key, ttl)
        customer = None if row.scope == ALL else row.scope
        out.late_arrivals = late_arrivals_of(context.object_store, row.week, customer)
    out.work_waiting = week_work_waiting(context.store, row.week, [row.id])
    if versions:
        out.versions = [
            ReportVersionOut(
                **vars(version),
                download_url=context.object_store.download_url(version.pdf_key, ttl),
            )
            for version in list_versions(context.store, row.id)
        ]
    return out


def _conflict(request: Request, context: ApiContext, conflict: ReportConflict) -> JSONResponse:
    body = ReportConflictBody(
        error="conflict",
        message=conflict.reason,
        request_id=request.state.request_id,
        report=report_out(context, conflict.report) if conflict.report else None,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=409)


def _report(context: ApiContext, report_id: int) -> Report:
    try:
        return get_report(context.store, report_id)
    except ReportNotFound as error:
        raise ApiError(404, str(error)) from None


@router.post("", response_model=ReportOut, status_code=201, responses=CONFLICT)
def request_week_report(
    body: ReportIn, request: Request, access: Authorized, context: Context, audit: Audit
):
    """Record a report for the week and launch its Dagster run; 409 if one is done or running."""
    week = week_or_422(body.week)
    audit.target = f"week:{week}"
    try:
        check_runnable(week, context.settings.first_week)
    except WeekNotRunnable as error:
        raise ApiError(422, str(error), code="invalid_week") from None
    if body.force and not access.principal.roles & FORCE_ROLES:
        raise ApiError(403, "only an operator or an admin may force a new report")
    try:
        row = request_report(context.store, week, body.force)
    except ReportConflict as conflict:
        return _conflict(request, context, conflict)
    audit.target = f"report:{row.id} week:{week}"
    try:
        run_id = context.launcher.launch_week(week, body.force)
    except LaunchError as error:
        set_state(context.store, row.id, "failed")  # frees the week for a retry
        raise ApiError(503, str(error), code="launch_failed") from None
    return report_out(context, attach_run(context.store, row.id, run_id))


@router.get("", response_model=ReportPage)
def list_reports(
    _: Authorized,
    context: Context,
    audit: Audit,
    paging: Paging,
    state: Annotated[ReportState | None, Query()] = None,
    week: Annotated[str | None, Query(max_length=32, description="any date of the week")] = None,
    customer: Annotated[
        str | None,
        Query(
            max_length=64,
            description="the scope: `all` (default), a customer id, or `*` for every scope",
        ),
    ] = None,
) -> ReportPage:
    """Newest first; the `all` reports unless `customer` names a customer (or `*`: every scope)."""
    monday = week_or_422(week) if week else None
    scope = None if customer == "*" else scope_or_422(customer)
    filters = {"state": state, "week": monday, "customer": scope}
    after = int_key(decode_cursor(paging.cursor, "reports", filters))
    page = reports_page(
        context.store, after=after, limit=paging.limit, state=state, week=monday, scope=scope
    )
    items = [report_out(context, row, versions=False) for row in page.items]
    _audit_download_links(audit, items)
    return ReportPage(items=items, next_cursor=encode_cursor(page.next_key, "reports", filters))


@router.get("/{report_id}", response_model=ReportOut)
def read_report(report_id: ReportId, _: Authorized, context: Context, audit: Audit) -> ReportOut:
    """The report with all its versions: each PDF ever rendered stays retrievable."""
    out = report_out(context, _report(context, report_id))
    _audit_download_links(audit, [out])
    return out


def _audit_download_links(audit: AuditEvent, items: list[ReportOut]) -> None:
    # A presigned link is a report download handed out: audited like one.
    linked = [str(item.id) for item in items if item.download_url]
    if linked:
        audit.audited_read = True
        audit.target = f"report download links: {','.join(linked)}"[:500]


@router.patch("/{report_id}/state", response_model=ReportOut, responses=CONFLICT)
def patch_state(
    report_id: ReportId,
    body: StateIn,
    request: Request,
    _: Authorized,
    context: Context,
    audit: Audit,
):
    """Worker callback: validated transition (a finished report never runs again)."""
    audit.target = f"report:{report_id} state:{body.state}"
    return _updated(request, context, report_id, state=body.state)


@router.patch("/{report_id}/result", response_model=ReportOut, responses=CONFLICT)
def patch_result(
    report_id: ReportId,
    body: ResultIn,
    request: Request,
    _: Authorized,
    context: Context,
    audit: Audit,
):
    """Worker callback: the rendered report's facts, optionally with its final state.

    A report reaching `succeeded` here launches its email run (as the design
    says); a repeated PATCH changes no state and sends nothing more, and the
    outbox sends each (week, scope, address) once anyway."""
    changes = body.model_dump(exclude_none=True)
    result = {name: value for name, value in changes.items() if name != "state"}
    before = _report(context, report_id)
    try:
        changed = check_result(before, result)
    except ResultImmutable as error:
        audit.target = f"report:{report_id} result refused: {','.join(sorted(result))}"
        raise ApiError(409, str(error), code="result_final") from None
    except InvalidResult as error:
        raise ApiError(422, str(error), code="invalid_result") from None
    # The audit row says which facts changed (values stay in the report row).
    audit.target = f"report:{report_id} result changed:{','.join(changed) or 'none'}"
    out = _updated(request, context, report_id, **changes)
    if before.state != "succeeded" and getattr(out, "state", None) == "succeeded":
        _send_succeeded(context, report_id)
    return out


@router.post("/{report_id}/release", response_model=ReportOut, responses=CONFLICT)
def release_report(
    report_id: ReportId, access: Authorized, context: Context, audit: Audit
) -> ReportOut:
    """Release a held report's emails (the reason stays on record); the next email run sends."""
    audit.target = f"report:{report_id} release"
    report = _report(context, report_id)
    latest = context.store.latest_report(report.week, report.scope)
    if latest is None or latest.id != report.id:
        raise ApiError(
            409,
            f"report {report_id} was superseded by report {latest.id} of its week",
            code="conflict",
        )
    try:
        row = release_hold(context.store, report.week, access.principal.actor, report.scope)
    except NotHeld as error:
        raise ApiError(409, str(error), code="not_held") from None
    return report_out(context, row)


def _send_succeeded(context: ApiContext, report_id: int) -> None:
    """Launch the emails of a report that just succeeded, unless it may not be mailed yet."""
    report = _report(context, report_id)
    if not report.pdf_key or report_held(
        report, mail_empty_weeks=context.settings.mail_empty_weeks
    ):
        return  # held or empty: the release (or nothing) sends it
    try:
        context.launcher.launch_emails(report.week, False, report.id)
    except LaunchError as error:
        # The result is recorded; POST /api/reports/emails/send/{id} can send it later.
        log.warning("report %s succeeded but its email run did not start: %s", report_id, error)


def _updated(request: Request, context: ApiContext, report_id: int, **changes: object):
    try:
        row = update_result(context.store, report_id, **changes)
    except ReportNotFound as error:
        raise ApiError(404, str(error)) from None
    except InvalidTransition as error:
        raise ApiError(409, str(error), code="invalid_transition") from None
    except ResultImmutable as error:
        raise ApiError(409, str(error), code="result_final") from None
    except InvalidResult as error:
        raise ApiError(422, str(error), code="invalid_result") from None
    except ReportConflict as conflict:
        return _conflict(request, context, conflict)
    return report_out(context, row)


class TestEmailIn(BaseModel):
    to: str = Field(min_length=3, max_length=320, description="the address to send the test to")
    name: str | None = Field(default=None, max_length=200, description="greeting name")


class TestEmailOut(BaseModel):
    report_id: int
    week: str
    to: str
    subject: str
    message_id: str
    attached: bool


@router.post(
    "/{report_id}/test-email", response_model=TestEmailOut, responses=error_responses(409, 502)
)
def send_test_email(
    report_id: ReportId, body: TestEmailIn, _: Authorized, context: Context, audit: Audit
) -> TestEmailOut:
    """Send this report's email, exactly as a subscriber gets it, to one address with [Test]
    in the subject. No delivery is recorded; the week's real send is unaffected."""
    from report_pipeline.delivery.addresses import InvalidEmail, normalize_email
    from report_pipeline.delivery.mailers import SendError
    from report_pipeline.delivery.settings import delivery_settings
    from report_pipeline.pipeline import proof
    from report_pipeline.resources import connections

    report = _report(context, report_id)
    try:
        to = normalize_email(body.to, context.settings.delivery.allow_special_use_domains)
    except InvalidEmail as error:
        raise ApiError(422, str(error), code="invalid_email") from None
    audit.target = f"report:{report_id} test-email:{to}"
    latest = context.store.latest_report(report.week)
    if latest is None or latest.id != report.id:
        raise ApiError(
            409,
            f"report {report_id} was superseded by report {latest.id} of its week",
            code="conflict",
        )
    settings = context.settings
    mailer = connections.open_mailer(connections.mailer_config(settings))
    try:
        sent = proof.Proof(
            context.store,
            context.object_store,
            connections.sender_address(settings),
            report.week,
            to,
            delivery_settings(settings.delivery),
            body.name,
        ).send(mailer)
    except proof.NoReportToTest as error:
        raise ApiError(409, str(error), code="no_report") from None
    except SendError as error:
        raise ApiError(
            502, f"the mail server refused the test email: {error}", code="send_failed"
        ) from None
    return TestEmailOut(
        report_id=sent.report_id,
        week=sent.week.isoformat(),
        to=sent.to,
        subject=sent.subject,
        message_id=sent.message_id,
        attached=sent.attached,
    )
