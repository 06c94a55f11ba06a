"""One week, one report per scope: split by customer, gated per scope, nothing shared."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from pypdf import PdfReader

from report_pipeline.pipeline.keys import report_manifest_key, report_pdf_key
from report_pipeline.pipeline.scopes import publish_scopes
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.report.factories import WEEK, entry, failed, text_ok

GENERATED = datetime(2024, 3, 11, 6, tzinfo=UTC)


def _week():
    entries = [
        entry("a1", "acme"),
        entry("a2", "acme"),
        entry("g1", "globex"),
        entry("g2", "globex"),
        entry("g3", "globex"),
    ]
    results = [
        text_ok("a1", terms=[["acmeterm", 4]]),
        failed("a2"),
        text_ok("g1", terms=[["globexterm", 5]]),
        text_ok("g2"),
        text_ok("g3"),
    ]
    return entries, results


def test_each_scope_is_published_and_gated_on_its_own(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    entries, results = _week()
    scopes = publish_scopes(
        store, WEEK, entries, results, GENERATED, threshold=0.25, empty_customers=["initech"]
    )
    by = {s.scope: s for s in scopes}
    assert list(by) == ["all", "acme", "globex", "initech"]
    assert (by["all"].documents_total, by["all"].documents_failed) == (5, 1)
    assert by["all"].hold_reason is None  # 1 of 5 is under the limit for the week
    assert "1 of 2 documents failed" in by["acme"].hold_reason  # acme alone is over it
    assert by["globex"].hold_reason is None and by["initech"].state == "noop"
    sha256 = by["globex"].published.pdf_sha256
    assert (
        by["globex"].published.pdf_key
        == report_pdf_key(WEEK, sha256, "globex")
        == f"reports/2024-03-04/customers/globex/{sha256}/weekly-report.pdf"
    )
    manifest = json.loads(store.get(report_manifest_key(WEEK, "globex")))
    assert manifest["scope"] == "globex" and len(manifest["pdf_sha256"]) == 64
    assert [d["document_id"] for d in manifest["documents"]] == ["g1", "g2", "g3"]
    assert "acme" not in json.dumps(manifest)
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(store.get(by["globex"].published.pdf_key))).pages
    )
    assert "globex" in text and "acme" not in text
    # No per-customer breakdown in a customer's report: no chart, table or term lines of it.
    assert "Customer: globex" in text
    for breakdown in ("Documents per customer", "By customer", "Top terms in", "Customers:"):
        assert breakdown not in text
    assert "| Customer |" not in by["globex"].published.markdown
    assert by["globex"].published.preview_png is None  # only the all report's is shown
    everything = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(store.get(by["all"].published.pdf_key))).pages
    )
    assert "acme" in everything and "globex" in everything
    assert "By customer" in everything and by["all"].published.preview_png
