"""A week's report as the API sees it: requests, state transitions, results.

The pipeline writes the same rows through `AppStore.record_report`, so a report
made by the schedule shows up here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from report_pipeline.appdb.pagination import Listing, Page
from report_pipeline.appdb.schema import ACTIVE_REPORT_STATES, AuditEntry, Report
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore, ReportResult, utcnow
from report_pipeline.pipeline.keys import report_pdf_key, report_pdf_sha256

REPORT_STATES = ("requested", "running", "succeeded", "failed", "noop", "held")
# Where a report may go from each state (the API's PATCH). Finished reports stay
# finished there: a new run for the week is a new row (POST /api/reports with
# force). A pipeline run re-rendering the week is the exception (`start_run`):
# it keeps the row, so the week's deliveries (one per address) keep their meaning.
TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"running", "succeeded", "failed", "noop", "held"}),
    "running": frozenset({"succeeded", "failed", "noop", "held"}),
    "failed": frozenset({"running"}),  # a worker retrying the same report
    "succeeded": frozenset(),
    "noop": frozenset(),
    "held": frozenset({"succeeded"}),  # an operator released it
}
FINISHED_STATES = frozenset({"succeeded", "failed", "noop", "held"})
STATE_ACTION = "report.state"  # audit_log action of every state transition
PIPELINE_ACTOR = "dagster"
RESULT_FIELDS = (
    "report_uri",
    "pdf_key",
    "pdf_sha256",
    "documents_total",
    "documents_failed",
    "dagster_run_id",
)


class ReportNotFound(LookupError):
    pass


class ReportConflict(Exception):
    """The week already has a report in progress (or done, without force)."""

    def __init__(self, report: Report | None, reason: str) -> None:
        super().__init__(reason)
        self.report = report
        self.reason = reason


class InvalidTransition(ValueError):
    pass


class ResultImmutable(ValueError):
    """A finished report's facts are final: a new result is a new report."""


class InvalidResult(ValueError):
    """A result field that is not what the pipeline writes for this report."""


FINISHED = FINISHED_STATES  # held included: rendered, awaiting release
FACT_FIELDS = frozenset(RESULT_FIELDS) - {"dagster_run_id"}


def check_result(row: Report, result: dict) -> list[str]:
    """The result fields that would change; raises when the change is not allowed.

    The PDF the email run mails is `pdf_key`: it must be the key the pipeline
    writes for the report's week, never a caller's choice (another object, a path).
    """
    changed = sorted(
        name for name, value in result.items() if value is not None and getattr(row, name) != value
    )
    if row.state in FINISHED and FACT_FIELDS & set(changed):
        raise ResultImmutable(
            f"report {row.id} is {row.state}: its results are final; request a new report"
        )
    customer = None if row.scope == ALL else row.scope
    key, form = result.get("pdf_key"), report_pdf_key(row.week, "<pdf sha256>", customer)
    if key is not None:
        sha256 = report_pdf_sha256(key, row.week, customer)
        wanted = result.get("pdf_sha256") or row.pdf_sha256
        if sha256 is None or (wanted is not None and sha256 != wanted):
            raise InvalidResult(f"pdf_key must be {form}, a version written for week {row.week}")
    uri, named = result.get("report_uri"), key or row.pdf_key
    if uri is not None and (
        "/../" in uri
        or "\\" in uri
        or not (
            uri.endswith("/" + named)
            if named
            else report_pdf_sha256(uri[uri.find("reports/") :], row.week, customer)
        )
    ):
        raise InvalidResult(f"report_uri must name the object {named or form!r}")
    return changed


def check_transition(current: str, new: str) -> None:
    if new not in REPORT_STATES:
        raise InvalidTransition(
            f"unknown state {new!r}; expected one of {', '.join(REPORT_STATES)}"
        )
    if new != current and new not in TRANSITIONS[current]:
        raise InvalidTransition(f"a report cannot go from {current!r} to {new!r}")


def get_report(app: AppStore, report_id: int) -> Report:
    with app.session() as session:
        row = session.get(Report, report_id)
    if row is None:
        raise ReportNotFound(f"no report with id {report_id}")
    return row


def active_report(app: AppStore, week: date) -> Report | None:
    with app.session() as session:
        return session.scalar(
            select(Report).where(
                Report.week == week, Report.scope == ALL, Report.state.in_(ACTIVE_REPORT_STATES)
            )
        )


def request_report(app: AppStore, week: date, force: bool = False) -> Report:
    """A new `requested` row for the week, or `ReportConflict`.

    The INSERT comes first: the partial unique index on active weeks makes every
    concurrent request but one fail right there (PostgreSQL and SQLite), and on
    SQLite a transaction that starts by writing waits for the lock instead of
    failing on a stale snapshot.
    """
    for _ in range(3):
        now = utcnow()
        try:
            with app.session() as session, session.begin():
                row = Report(week=week, state="requested", created_at=now, updated_at=now)
                session.add(row)
                session.flush()
                previous = session.scalar(
                    select(Report)
                    .where(Report.week == week, Report.scope == ALL, Report.id != row.id)
                    .order_by(Report.id.desc())
                    .limit(1)
                )
                if previous is not None and previous.state == "succeeded" and not force:
                    session.expunge(previous)  # keep its loaded state through the rollback
                    raise ReportConflict(previous, f"week {week} already has a report")
                return row
        except IntegrityError:
            current = active_report(app, week)
            if current is not None:
                raise ReportConflict(current, f"a report for week {week} is in progress") from None
            # The other request finished in between: try again.
    raise ReportConflict(active_report(app, week), f"a report for week {week} is in progress")


def attach_run(app: AppStore, report_id: int, run_id: str) -> Report:
    return _update(app, report_id, dagster_run_id=run_id)


def set_state(app: AppStore, report_id: int, state: str) -> Report:
    return update_result(app, report_id, state=state)


def update_result(app: AppStore, report_id: int, state: str | None = None, **result) -> Report:
    """Validated state change and/or result fields (`RESULT_FIELDS`)."""
    unknown = set(result) - set(RESULT_FIELDS)
    if unknown:
        raise ValueError(f"unknown result fields: {', '.join(sorted(unknown))}")
    try:
        with app.session() as session, session.begin():
            row = session.get(Report, report_id, with_for_update=True)
            if row is None:
                raise ReportNotFound(f"no report with id {report_id}")
            check_result(row, result)
            if state is not None:
                check_transition(row.state, state)
                row.state = state
            for name, value in result.items():
                if value is not None:
                    setattr(row, name, value)
            row.updated_at = utcnow()
            session.flush()
            return row
    except IntegrityError:
        # Only moving into an active state can collide: another report of the
        # week is already being made.
        raise ReportConflict(
            active_report(app, get_report(app, report_id).week),
            "another report of this week is in progress",
        ) from None


def _update(app: AppStore, report_id: int, **values: object) -> Report:
    with app.session() as session, session.begin():
        row = session.get(Report, report_id, with_for_update=True)
        if row is None:
            raise ReportNotFound(f"no report with id {report_id}")
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        return row


REPORTS = Listing(
    select(Report),
    Report.id,
    {
        "state": lambda state: Report.state == state,
        "week": lambda week: Report.week == week,
        "scope": lambda scope: Report.scope == scope,
    },
    descending=True,
)


def reports_page(app: AppStore, after: int | None, limit: int, **filters: Any) -> Page[Report]:
    """Newest first; filters: state, week, scope (every scope when not given)."""
    return REPORTS.page(app, after, limit, filters)


@dataclass(frozen=True)
class RunState:
    """A Dagster run of the weekly job as the run-state sensor saw it."""

    week: date
    run_id: str
    state: str  # running | failed


def apply_run_state(app: AppStore, run: RunState) -> Report | None:
    """Reflect a run's failure (or start) on its report row.

    The row is the one carrying the run id, else the week's active row still
    waiting for its run id, else a new row when the week has none at all (a run
    that died before its first step: the API and the deadline alert still see
    it). A transition that is not allowed (a late `failed` for a report already
    `succeeded`) is ignored. Every change is an audit row. Returns the row changed.
    """
    try:
        with app.session() as session, session.begin():
            # Customer rows carry the run id too; the run's own row is the `all` one.
            row = _newest(session, Report.dagster_run_id == run.run_id, Report.scope == ALL)
            if row is None:
                row = session.scalar(
                    select(Report)
                    .where(
                        Report.week == run.week,
                        Report.scope == ALL,
                        Report.state.in_(ACTIVE_REPORT_STATES),
                        Report.dagster_run_id.is_(None),
                    )
                    .with_for_update()
                )
            now = utcnow()
            if row is None:
                if session.scalar(
                    select(Report.id).where(Report.week == run.week, Report.scope == ALL).limit(1)
                ):
                    return None  # the week's report stands; this run never touched it
                row = Report(
                    week=run.week,
                    state=run.state,
                    dagster_run_id=run.run_id,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                _audit(session, row, None, run.state, run.run_id)
                return row
            if row.state == run.state or run.state not in TRANSITIONS[row.state]:
                return None
            before = row.state
            row.state, row.dagster_run_id, row.updated_at = run.state, run.run_id, now
            _audit(session, row, before, run.state, run.run_id)
            return row
    except IntegrityError:
        return None  # another report of the week is active; it owns the week


def start_run(app: AppStore, week: date, run_id: str) -> Report | None:
    """The weekly run's first step: the week's report is `running` under this run id.

    Idempotent (a retried step, or both first steps of one run, change nothing
    the second time). The row is the one carrying the run id, else the week's
    latest row, which a re-render takes back to `running` (same row, so its
    deliveries still dedupe addresses), else a new one. Returns the row changed.
    """
    try:
        with app.session() as session, session.begin():
            # The run's own row is the `all` one; customer rows are written at its end.
            row = _newest(session, Report.dagster_run_id == run_id, Report.scope == ALL)
            if row is None:
                row = _newest(session, Report.week == week, Report.scope == ALL)
            now = utcnow()
            if row is None:
                row = Report(
                    week=week,
                    state="running",
                    dagster_run_id=run_id,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                _audit(session, row, None, "running", run_id)
                return row
            if row.state == "running" and row.dagster_run_id == run_id:
                return None
            before = row.state
            row.state, row.dagster_run_id, row.updated_at = "running", run_id, now
            session.flush()
            _audit(session, row, before, "running", run_id)
            return row
    except IntegrityError:
        return None  # an older report of the week is still active and owns the week


def finish_run(app: AppStore, result: ReportResult, hold: str | None) -> Report:
    """The run's end state and results on the week's report, with the hold, and its audit row.

    `held` when the gate holds the emails, else the state given (succeeded or
    noop). One transaction, so no reader sees a rendered report without its hold.
    """
    state = "held" if hold else result.state
    with app.session() as session, session.begin():
        row = None
        if result.dagster_run_id:
            row = _newest(
                session,
                Report.dagster_run_id == result.dagster_run_id,
                Report.scope == result.scope,
            )
        if row is None:
            row = _newest(session, Report.week == result.week, Report.scope == result.scope)
        now = utcnow()
        if row is None:
            row = Report(week=result.week, scope=result.scope, created_at=now)
            session.add(row)
        before = row.state
        for name, value in vars(result).items():
            if name not in ("week", "state", "scope") and value is not None:
                setattr(row, name, value)
        row.state, row.updated_at = state, now
        row.hold_reason, row.held_at = hold, now if hold else None
        row.released_at, row.released_by = None, None
        session.flush()
        _audit(session, row, before, state, result.dagster_run_id)
        return row


def _audit(
    session,
    row: Report,
    before: str | None,
    after: str,
    run_id: str | None,
    actor: str = PIPELINE_ACTOR,
) -> None:
    """One append-only audit row per transition; `request_id` carries the Dagster run id."""
    session.add(
        AuditEntry(
            at=utcnow(),
            actor=actor[:320],
            role=None,
            action=STATE_ACTION,
            target=f"report:{row.id} week:{row.week.isoformat()} {before or 'none'}->{after}",
            outcome=after,
            status_code=0,
            request_id=(run_id or "")[:64],
            client_address=None,
        )
    )


# --- completeness gate: hold and release ----------------------------------


class NotHeld(ValueError):
    pass


def set_hold(app: AppStore, report_id: int, reason: str | None) -> Report:
    """Hold a report's emails with a reason (None: the report is not held)."""
    now = utcnow()
    return _update(
        app,
        report_id,
        hold_reason=reason,
        held_at=now if reason else None,
        released_at=None,
        released_by=None,
    )


def release_hold(app: AppStore, week: date, released_by: str, scope: str = ALL) -> Report:
    """An operator lets the week's held report (of one scope) be mailed; the reason stays."""
    what = f"week {week}" + ("" if scope == ALL else f" for customer {scope}")
    with app.session() as session, session.begin():
        row = _newest(session, Report.week == week, Report.scope == scope)
        if row is None:
            raise ReportNotFound(f"no report for {what}")
        if not row.hold_reason:
            raise NotHeld(f"the report of {what} is not held")
        if row.released_at is None:
            row.released_at, row.released_by, row.updated_at = utcnow(), released_by, utcnow()
            if row.state == "held":
                row.state = "succeeded"
                _audit(session, row, "held", "succeeded", row.dagster_run_id, actor=released_by)
        session.flush()
        return row


def _newest(session: Session, *conditions: Any) -> Report | None:
    """The newest report row matching ``conditions``, locked for this transaction."""
    return session.scalar(
        select(Report).where(*conditions).order_by(Report.id.desc()).limit(1).with_for_update()
    )
