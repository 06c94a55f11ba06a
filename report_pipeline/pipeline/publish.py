"""Render a week's report and store it with a manifest that says what went into it.

Each rendering is an immutable version under its sha256
(``reports/<week>/<sha256>/weekly-report.pdf``); ``latest.json`` and the report
row point at the newest. The creation date comes from the data, so an
unchanged week renders to the same bytes, hence the same version.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from report_pipeline.extraction import EXTRACTOR_VERSIONS
from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.pipeline.keys import (
    report_latest_key,
    report_manifest_key,
    report_pdf_key,
    report_summary_key,
    report_version_manifest_key,
)
from report_pipeline.pipeline.published import published_summary
from report_pipeline.report import ReportData, build_report_data, render_report
from report_pipeline.report.aggregate import DEFAULT_REVIEW_CONFIDENCE
from report_pipeline.report.preview import first_page_png
from report_pipeline.report.trends import trend_weeks
from report_pipeline.storage.object_store import ObjectStore


@dataclass(frozen=True)
class PublishedReport:
    pdf_key: str
    manifest_key: str
    uri: str
    pdf_sha256: str
    page_count: int
    summary: dict
    markdown: str
    preview_png: bytes | None = None  # the first page, small, for the Dagster UI


def data_date(week: date, entries: list[ManifestEntry]) -> datetime:
    """The report's creation date: its newest document, else the end of the week.

    Derived from the data, never the clock, so re-rendering an unchanged week
    gives byte-identical PDFs.
    """
    moments = [_utc(e.record.created_at) for e in entries if e.record.created_at]
    return dated(week, max(moments) if moments else None)


def dated(week: date, newest: datetime | None) -> datetime:
    """The creation date of a report whose newest document is ``newest`` (None: no document)."""
    return newest or datetime.combine(week + timedelta(days=7), time(), tzinfo=UTC)


def publish_report(
    store: ObjectStore,
    week: date,
    entries: list[ManifestEntry],
    results: list[FeatureResult],
    generated_at: datetime | None = None,
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE,
    customer: str | None = None,
) -> PublishedReport:
    """The week's report; with `customer`, the entries and results given are that customer's
    and its trends come from that customer's earlier reports only."""
    history = read_history(store, week, customer)
    data = build_report_data(week, entries, results, history, review_confidence, customer)
    return publish_data(store, entries, data, generated_at)


def publish_data(
    store: ObjectStore,
    entries: list[ManifestEntry],
    data: ReportData,
    generated_at: datetime | None = None,
) -> PublishedReport:
    """Render aggregated data (the `all` report or ``data.customer``'s) and store it.

    ``entries``: the documents of that scope, listed in its manifest. Only the
    `all` report gets a first-page preview: the Dagster UI shows no other.
    """
    documents = ((e.record.document_id, e.sha256) for e in entries)
    moment = generated_at or data_date(data.week_start, entries)
    return publish_listed(store, documents, moment, data)


def publish_listed(
    store: ObjectStore,
    documents: Iterable[tuple[str, str | None]],
    generated_at: datetime,
    data: ReportData,
) -> PublishedReport:
    """As publish_data, given the scope's listed (document_id, sha256) pairs and the date."""
    week, customer = data.week_start, data.customer
    rendered = render_report(data, generated_at)
    pdf_sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    pdf_key = report_pdf_key(week, pdf_sha256, customer)
    manifest_key = report_manifest_key(week, customer)
    # Same key means same bytes: a version once stored is never rewritten.
    uri = (
        store.uri(pdf_key)
        if store.exists(pdf_key)
        else store.put(pdf_key, rendered.pdf, "application/pdf")
    )
    manifest = {
        "week": week.isoformat(),
        "scope": customer or "all",
        "generated_at": generated_at.isoformat(),
        "pdf_key": pdf_key,
        "pdf_sha256": pdf_sha256,
        "page_count": rendered.page_count,
        "extractor_versions": EXTRACTOR_VERSIONS,
        "summary": rendered.summary,
    }
    body = manifest_body(manifest, documents)
    store.put(report_version_manifest_key(week, pdf_sha256, customer), body, "application/json")
    store.put(manifest_key, body, "application/json")
    latest = {"pdf_key": pdf_key, "pdf_sha256": pdf_sha256}
    store.put(report_latest_key(week, customer), json.dumps(latest).encode(), "application/json")
    summary = {
        "week": week.isoformat(),
        "generated_at": generated_at.isoformat(),
        "summary": rendered.summary,
    }
    store.put(report_summary_key(week, customer), json.dumps(summary).encode(), "application/json")
    return PublishedReport(
        pdf_key,
        manifest_key,
        uri,
        pdf_sha256,
        rendered.page_count,
        rendered.summary,
        rendered.markdown,
        first_page_png(rendered.pdf) if customer is None else None,
    )


def manifest_body(head: dict, documents: Iterable[tuple[str, str | None]]) -> bytes:
    """``json.dumps({**head, "documents": [...]}, indent=1)``, written a document at a time.

    A week's manifest lists every document: built as one JSON value it held a dict
    and the encoder's pieces per document (about 60 MB at 100,000); this holds the text.
    """
    opening = json.dumps({**head, "documents": []}, indent=1)
    if not opening.endswith('"documents": []\n}'):
        raise ValueError("the documents must be the manifest's last field")
    out = io.StringIO()
    out.write(opening[: -len("]\n}")])
    separator = "\n"
    for document_id, sha256 in documents:
        out.write(
            f'{separator}  {{\n   "document_id": {json.dumps(document_id)},'
            f'\n   "sha256": {json.dumps(sha256)}\n  }}'
        )
        separator = ",\n"
    out.write("]\n}" if separator == "\n" else "\n ]\n}")
    return out.getvalue().encode()


def read_history(store: ObjectStore, week: date, customer: str | None = None) -> dict[date, dict]:
    """Summaries of the 11 weeks before ``week`` that have a published report (of one scope).

    The small summary file is read first; weeks published before it existed
    fall back to their report manifest. A week with neither is left out (a gap).
    """
    history: dict[date, dict] = {}
    for earlier in trend_weeks(week)[:-1]:
        summary = published_summary(store, earlier, customer)
        if summary is not None:
            history[earlier] = summary
    return history


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
