"""Weekly report: aggregate a week's features, draw charts, lay out the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.report.aggregate import (
    DEFAULT_REVIEW_CONFIDENCE,
    ReportData,
    build_report_data,
    customer_report_data,
)
from report_pipeline.report.causes import CAUSES
from report_pipeline.report.pdf import render_pdf
from report_pipeline.report.vector_charts import report_charts

__all__ = [
    "RenderedReport",
    "ReportData",
    "build_report_data",
    "customer_report_data",
    "render_report",
    "render_weekly_report",
]

MARKDOWN_CUSTOMERS = 25  # the UI summary stays short; the PDF lists every customer


@dataclass
class RenderedReport:
    pdf: bytes
    page_count: int
    summary: dict[str, Any]
    markdown: str


def render_weekly_report(
    week_start: date,
    entries: list[ManifestEntry],
    results: list[FeatureResult],
    generated_at: datetime,
    history: dict[date, dict[str, Any]] | None = None,
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE,
) -> RenderedReport:
    """Build the PDF and its summaries; same inputs and generated_at give the same bytes.

    ``history``: earlier weeks' published summaries, for the trend section.
    """
    data = build_report_data(week_start, entries, results, history, review_confidence)
    return render_report(data, generated_at)


def render_report(data: ReportData, generated_at: datetime) -> RenderedReport:
    """The PDF and summaries of aggregated data: the `all` report or a customer's.

    Every report's charts are vector drawings (report/vector_charts.py).
    """
    pdf, pages = render_pdf(data, report_charts(data), generated_at)
    return RenderedReport(pdf=pdf, page_count=pages, summary=data.summary, markdown=_markdown(data))


def _markdown(data: ReportData) -> str:
    s = data.summary
    previous = data.trends[-2] if len(data.trends) > 1 else None
    lines = [
        f"**Weekly document report, week of {s['week']}** "
        f"({s['week']} to {data.week_end.isoformat()})",
        "",
        "| Metric | Value | vs previous week |",
        "|---|---:|---|",
        f"| Documents | {s['documents_total']:,} | "
        f"{_change(s['documents_total'], previous and previous.documents)} |",
        f"| Processed | {s['documents_ok']:,} | |",
        f"| Failed | {s['documents_failed']:,} | "
        f"{_change(s['documents_failed'], previous and previous.failed)} |",
        f"| Need review | {s['needs_review']:,} | "
        f"{_change(s['needs_review'], previous and previous.needs_review)} |",
        f"| Text / image (processed) | {s['text_documents']:,} / {s['image_documents']:,} | |",
        f"| Words | {s['words_total']:,} | |",
        "",
    ]
    causes = data.failure_causes.select("cause", "documents").rows()
    if causes:
        lines += ["**Failures by cause**", ""]
        lines += [f"- {CAUSES[c].title}: {n:,}. {CAUSES[c].action}" for c, n in causes]
        lines.append("")
    if data.customer is not None:  # a customer's report has no per-customer breakdown
        return "\n".join(lines) + "\n"
    lines += [
        "| Customer | Documents | Failed |",
        "|---|---:|---:|",
    ]
    customers = data.per_customer.select("customer", "documents", "failed").rows()
    for customer, documents, failed in customers[:MARKDOWN_CUSTOMERS]:
        lines.append(f"| {_md_cell(customer)} | {documents:,} | {failed:,} |")
    if len(customers) > MARKDOWN_CUSTOMERS:
        lines.append(f"| and {len(customers) - MARKDOWN_CUSTOMERS:,} more (see PDF) | | |")
    if not customers:
        lines.append("| (no documents) | 0 | 0 |")
    return "\n".join(lines) + "\n"


def _change(now: int, before: int | None) -> str:
    if before is None:
        return "-"
    diff = now - before
    return "same" if diff == 0 else f"{'▲ up' if diff > 0 else '▼ down'} {abs(diff):,}"


def _md_cell(text: str) -> str:
    # Pipes and newlines would break the table row.
    return " ".join(str(text).split()).replace("|", "\\|")
