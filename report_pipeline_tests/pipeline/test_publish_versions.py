"""Report PDFs are immutable versions: same data, same bytes, same key; new data, a new key."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from report_pipeline.pipeline.keys import report_latest_key
from report_pipeline.pipeline.publish import data_date, publish_report
from report_pipeline.pipeline.published import read_published_manifest
from report_pipeline.report.aggregate import build_report_data
from report_pipeline.report.vector_charts import report_charts
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.report.factories import WEEK, entry, failed, image_ok, text_ok


def _week(extra: bool = False):
    entries = [
        entry("doc-1", "acme", "text/plain"),
        entry("doc-2", "acme", "image/png"),
        entry("doc-3", "globex", created_at=datetime(2024, 3, 6, 8, tzinfo=UTC)),
    ]
    results = [
        text_ok("doc-1", words=120, terms=[["placebo", 7]]),
        image_ok("doc-2", confidence=81.5, words=30),
        failed("doc-3", "decode", "bad"),
    ]
    if extra:
        entries.append(entry("doc-4", "acme", created_at=datetime(2024, 3, 7, tzinfo=UTC)))
        results.append(text_ok("doc-4", words=9))
    return entries, results


def test_an_unchanged_week_renders_the_same_bytes_under_the_same_key(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    first = publish_report(store, WEEK, *_week())
    again = publish_report(store, WEEK, *_week())
    assert again.pdf_sha256 == first.pdf_sha256 and again.pdf_key == first.pdf_key
    assert first.pdf_key == f"reports/{WEEK}/{first.pdf_sha256}/weekly-report.pdf"
    assert hashlib.sha256(store.get(first.pdf_key)).hexdigest() == first.pdf_sha256
    # The creation date is the newest document's, not the clock's.
    assert data_date(WEEK, _week()[0]) == datetime(2024, 3, 6, 8, tzinfo=UTC)
    assert data_date(WEEK, []) == datetime(2024, 3, 11, tzinfo=UTC)


def test_charts_are_deterministic() -> None:
    data = build_report_data(WEEK, *_week())
    again = build_report_data(WEEK, *_week())
    assert [c.alt_text for c in report_charts(data).values()] == [
        c.alt_text for c in report_charts(again).values()
    ]


def test_new_data_is_a_new_version_and_the_old_one_stays_retrievable(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    old = publish_report(store, WEEK, *_week())
    old_bytes = store.get(old.pdf_key)
    new = publish_report(store, WEEK, *_week(extra=True))
    assert new.pdf_sha256 != old.pdf_sha256 and new.pdf_key != old.pdf_key
    assert store.get(old.pdf_key) == old_bytes  # never overwritten
    assert json.loads(store.get(report_latest_key(WEEK))) == {
        "pdf_key": new.pdf_key,
        "pdf_sha256": new.pdf_sha256,
    }
    # Each version keeps its manifest; without a version the newest one is read.
    assert read_published_manifest(store, WEEK)["pdf_sha256"] == new.pdf_sha256
    assert read_published_manifest(store, WEEK, old.pdf_sha256)["summary"]["documents_total"] == 3
