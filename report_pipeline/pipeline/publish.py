"""Render a week's report and store it with a manifest that says what went into it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from report_pipeline.extraction import EXTRACTOR_VERSIONS
from report_pipeline.pipeline.keys import report_manifest_key, report_pdf_key
from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.report import render_weekly_report
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


def publish_report(
    store: ObjectStore, week: date, entries: list[ManifestEntry],
    results: list[FeatureResult], generated_at: datetime,
) -> PublishedReport:
    rendered = render_weekly_report(week, entries, results, generated_at)
    pdf_key, manifest_key = report_pdf_key(week), report_manifest_key(week)
    pdf_sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    uri = store.put(pdf_key, rendered.pdf, "application/pdf")
    manifest = {
        "week": week.isoformat(),
        "generated_at": generated_at.isoformat(),
        "pdf_key": pdf_key,
        "pdf_sha256": pdf_sha256,
        "page_count": rendered.page_count,
        "extractor_versions": EXTRACTOR_VERSIONS,
        "summary": rendered.summary,
        "documents": [
            {"document_id": e.record.document_id, "sha256": e.sha256} for e in entries
        ],
    }
    store.put(manifest_key, json.dumps(manifest, indent=1).encode(), "application/json")
    return PublishedReport(
        pdf_key, manifest_key, uri, pdf_sha256, rendered.page_count, rendered.summary,
        rendered.markdown,
    )


def read_published_manifest(store: ObjectStore, week: date) -> dict:
    return json.loads(store.get(report_manifest_key(week)))
