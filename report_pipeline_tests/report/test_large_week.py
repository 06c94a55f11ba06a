import io

from pypdf import PdfReader

from report_pipeline.report import render_weekly_report
from report_pipeline_tests.report.factories import GENERATED_AT, WEEK, synthetic_week


def test_ten_thousand_documents_render_with_every_failure_listed():
    entries, results = synthetic_week(10_000)
    report = render_weekly_report(WEEK, entries, results, GENERATED_AT)
    reader = PdfReader(io.BytesIO(report.pdf))

    summary = report.summary
    assert summary["documents_total"] == 10_000
    assert summary["documents_ok"] + summary["documents_failed"] == 10_000
    assert summary["documents_failed"] > 300
    assert len(reader.pages) == report.page_count
    # Summaries per customer, one appendix row per failure: tens of pages, not thousands.
    assert 5 < report.page_count < 100

    text = " ".join(page.extract_text() for page in reader.pages)
    appendix = text.split("Failed documents by id", 1)[1]
    failed_ids = {e.record.document_id for e in entries} - {
        r.document_id for r in results if r.status == "ok"
    }
    assert len(failed_ids) == summary["documents_failed"]
    assert all(doc_id in appendix for doc_id in failed_ids)
