"""A week split by report scope: the `all` report and one report per customer.

A customer's report is rendered from that customer's entries and results only,
so nothing of another customer (ids, names, counts, terms, keys) can reach its
PDF, its manifest or its email summary. Scopes live inside the weekly
partition; there is no week x customer partition grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from report_pipeline.appdb.scopes import ALL, InvalidCustomer, validate_customer
from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.pipeline import gate
from report_pipeline.pipeline.publish import PublishedReport, dated, publish_listed, read_history
from report_pipeline.pipeline.week_rows import WeekRows, fold_week
from report_pipeline.report import ReportData, customer_report_data
from report_pipeline.report.aggregate import DEFAULT_REVIEW_CONFIDENCE, report_data_of_rows
from report_pipeline.storage.object_store import ObjectStore


@dataclass(frozen=True)
class ScopeReport:
    scope: str  # `all` or a customer id
    published: PublishedReport
    state: str  # succeeded | noop
    hold_reason: str | None

    @property
    def documents_total(self) -> int:
        return self.published.summary["documents_total"]

    @property
    def documents_failed(self) -> int:
        return self.published.summary["documents_failed"]


def entry_customer(entry: ManifestEntry) -> str | None:
    """The entry's customer when it is a valid id; None keeps it in the `all` report only."""
    customer = entry.record.customer_id
    if not customer or customer == "unknown":
        return None
    try:
        return validate_customer(customer)
    except InvalidCustomer:
        return None


def publish_scopes(
    store: ObjectStore,
    week: date,
    entries: list[ManifestEntry],
    results: list[FeatureResult],
    generated_at: datetime | None,
    *,
    threshold: float,
    empty_customers: list[str] = (),
    review_confidence: float | None = None,
) -> list[ScopeReport]:
    """The `all` report, then one per customer with documents (and, given, empty ones).

    `empty_customers`: customers with subscribers but no documents this week,
    rendered as a short "no documents" report (REPORT_PIPELINE_MAIL_EMPTY_WEEKS).
    """
    confidence = DEFAULT_REVIEW_CONFIDENCE if review_confidence is None else review_confidence
    rows = fold_week(entries, lambda: results, entry_customer, confidence)
    return publish_week_scopes(
        store,
        week,
        rows,
        generated_at,
        threshold=threshold,
        empty_customers=empty_customers,
        review_confidence=confidence,
    )


def publish_week_scopes(
    store: ObjectStore,
    week: date,
    rows: WeekRows,
    generated_at: datetime | None,
    *,
    threshold: float,
    empty_customers: list[str] = (),
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE,
) -> list[ScopeReport]:
    """publish_scopes of a week already folded (fold_week with entry_customer).

    The week is aggregated once; each customer's report takes its slice of those rows.
    """
    history = read_history(store, week)
    week_data = report_data_of_rows(week, rows.docs, rows.terms, history, review_confidence)
    reports = [_published(store, rows, None, week_data, generated_at, threshold)]
    customers = rows.scopes()
    for customer in sorted(set(customers) | set(empty_customers)):
        data = customer_report_data(week_data, customer, read_history(store, week, customer))
        reports.append(_published(store, rows, customer, data, generated_at, threshold))
    return reports


def _published(
    store: ObjectStore,
    rows: WeekRows,
    customer: str | None,
    data: ReportData,
    generated_at: datetime | None,
    threshold: float,
) -> ScopeReport:
    moment = generated_at or dated(data.week_start, rows.newest.get(customer))
    published = publish_listed(store, rows.listed_documents(customer), moment, data)
    return _scope_report(customer or ALL, published, threshold)


def _scope_report(scope: str, published: PublishedReport, threshold: float) -> ScopeReport:
    total, failed = published.summary["documents_total"], published.summary["documents_failed"]
    return ScopeReport(
        scope, published, gate.report_state(total), gate.hold_reason(total, failed, threshold)
    )
