"""Completeness gate: when a week's report may be mailed, and why not.

Pure decisions over counts and the report row; no Dagster. The report asset
records the decision (state, hold reason) before its materialization event, so
the email sensor and the email asset always see it.
"""

from __future__ import annotations

from datetime import date

from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore


def report_state(documents_total: int) -> str:
    """`noop` for a week without documents, else `succeeded`."""
    return "noop" if documents_total == 0 else "succeeded"


def hold_reason(documents_total: int, documents_failed: int, threshold: float) -> str | None:
    """Why the report must not be mailed as is, or None when it is complete enough."""
    if documents_total == 0:
        return None
    share = documents_failed / documents_total
    if share <= threshold:
        return None
    return (
        f"{documents_failed} of {documents_total} documents failed ({share:.1%}),"
        f" over the {threshold:.0%} limit (REPORT_PIPELINE_MAX_FAILED_SHARE)"
    )


def emails_held(
    app: AppStore, week: date, scope: str = ALL, *, mail_empty_weeks: bool
) -> str | None:
    """Why the week's emails (of one scope) must not go out now, or None to send them.

    Called by the email asset before any delivery row is made. Each scope is
    gated on its own counts: a customer over the limit is held while the
    others go out; `all` is held when the whole week is over it. An empty
    (noop) week is held unless `mail_empty_weeks` (REPORT_PIPELINE_MAIL_EMPTY_WEEKS).
    """
    report = app.latest_report(week, scope)
    if report is None:
        return None  # the email asset itself refuses a week without a rendered report
    return report_held(report, mail_empty_weeks=mail_empty_weeks)


def report_held(report: Report, *, mail_empty_weeks: bool) -> str | None:
    """Why this report row must not be mailed now, or None (`mail_empty_weeks`: see emails_held)."""
    week, scope = report.week, getattr(report, "scope", ALL) or ALL
    customer = "" if scope == ALL else f" --customer {scope}"
    what = f"week {week}" if scope == ALL else f"customer {scope} in week {week}"
    if report.state == "noop" and not mail_empty_weeks:
        return (
            f"{what} has no documents (noop); set REPORT_PIPELINE_MAIL_EMPTY_WEEKS=1"
            " to mail empty reports"
        )
    if report.hold_reason and report.released_at is None:
        return (
            f"report held: {report.hold_reason}; release it with"
            f" `report-pipeline reports release --week {week}{customer}`"
        )
    return None
