"""The report's first content page: types, trials, Read today, Gone quiet."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from report_pipeline.report import build_report_data, customer_report_data, render_report
from report_pipeline_tests.report.factories import GENERATED_AT, WEEK
from report_pipeline_tests.report.test_document_types import in_trial, typed

SECRET = "Patient Jane Roe had a severe rash"


def page_texts(data) -> list[str]:
    pdf = render_report(data, GENERATED_AT).pdf
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def week_with_history():
    entries = [in_trial("AE-1", "T-1"), in_trial("LAB-1", "T-1"), in_trial("LAB-2", "T-2", "beta")]
    results = [typed("AE-1", "adverse_event_report"), typed("LAB-1", "lab_result")]
    results.append(typed("LAB-2", "lab_result"))
    for result in results:  # the text and the cues a classifier saw must never be printed
        result.features["excerpt"] = SECRET
        result.features["document_type"]["cues"] = [SECRET]
    history = {
        WEEK - timedelta(weeks=back): {
            "by_trial": {"T-1": 2, "T-2": 1, "T-014": 5},
            "by_document_type": {"lab result": 2, "consent form": 1},
        }
        for back in (1, 2)
    }
    return build_report_data(WEEK, entries, results, history)


def test_the_second_page_counts_types_against_last_week_and_per_trial():
    page = page_texts(week_with_history())[1]

    assert "This week by document type" in page
    assert "lab result 2 2 same" in page
    assert "adverse-event report 1 0 ▲ 1" in page
    assert "consent form 0 1 ▼ 1" in page
    assert "T-2 beta 1 lab result (1)" in page
    assert SECRET not in "".join(page_texts(week_with_history()))


def test_attention_lists_read_today_first_then_gone_quiet():
    cover, page = page_texts(week_with_history())[:2]

    attention = cover[cover.index("What needs attention") :]
    assert attention.index("Read today: 1 adverse-event report(s): AE-1 (acme, trial T-1)") < (
        attention.index("Gone quiet: trial T-014 sent nothing this week")
    )
    assert "Gone quiet" in page and "T-014 0 5 2" in page


def test_a_customers_page_has_no_customer_column():
    week = week_with_history()
    page = page_texts(customer_report_data(week, "acme", {}))[1]

    assert "Read today: adverse-event reports" in page and "AE-1 T-1" in page
    assert "beta" not in page
    assert "No trial went quiet this week." in page
