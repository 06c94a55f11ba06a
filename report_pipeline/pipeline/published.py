"""Reading a published report's manifest (what publish.py stored), without the renderer.

Senders and the CLI read manifests to mail or describe a report; importing
publish.py for that would load polars and fpdf2 into every sender.
"""

from __future__ import annotations

import json
from datetime import date

from report_pipeline.pipeline.keys import (
    report_manifest_key,
    report_summary_key,
    report_version_manifest_key,
)
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore


def read_published_manifest(
    store: ObjectStore, week: date, pdf_sha256: str | None = None, customer: str | None = None
) -> dict:
    """The newest version's manifest, or the one of version `pdf_sha256` when it has its own."""
    if pdf_sha256 and store.exists(key := report_version_manifest_key(week, pdf_sha256, customer)):
        return json.loads(store.get(key))
    return json.loads(store.get(report_manifest_key(week, customer)))


def late_arrivals_of(store: ObjectStore, week: date, customer: str | None = None) -> dict[str, int]:
    """The weeks (ISO Monday) whose late documents this week's report counted, and how many."""
    summary = published_summary(store, week, customer) or {}
    late = summary.get("late_arrivals")
    return {str(k): int(v) for k, v in late.items()} if isinstance(late, dict) else {}


def published_summary(store: ObjectStore, week: date, customer: str | None) -> dict | None:
    """The summary a week's report published (its summary file, else its manifest), or None."""
    for key in (report_summary_key(week, customer), report_manifest_key(week, customer)):
        try:
            body = json.loads(store.get(key))
        except ObjectNotFound:
            continue
        except ValueError:  # a damaged file is a gap, not a failed report
            return None
        summary = body.get("summary") if isinstance(body, dict) else None
        return summary if isinstance(summary, dict) else None
    return None
