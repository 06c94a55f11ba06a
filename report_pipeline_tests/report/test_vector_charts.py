"""A customer's report: vector charts, no per-customer breakdown, its own figures only."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from report_pipeline.report import (
    build_report_data,
    customer_report_data,
    render_report,
    render_weekly_report,
)
from report_pipeline.report.chart_parts import ticks as _ticks
from report_pipeline.report.trends import TrendPoint
from report_pipeline.report.vector_charts import report_charts
from report_pipeline_tests.report.factories import (
    GENERATED_AT,
    WEEK,
    entry,
    failed,
    image_ok,
    text_ok,
)


def _week():
    entries = [entry(f"a{i}", "acme", "image/png") for i in range(4)]
    entries += [entry(f"g{i}", "globex") for i in range(3)]
    results = [image_ok("a0", confidence=30.0), image_ok("a1"), failed("a2"), image_ok("a3")]
    results += [text_ok(f"g{i}", terms=[["dosage", 3]]) for i in range(3)]
    return entries, results


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_customer_charts_have_no_documents_per_customer_chart() -> None:
    week = build_report_data(WEEK, *_week())
    charts = report_charts(customer_report_data(week, "acme"))
    assert list(charts) == ["trends", "type_trends", "per_day", "content_types", "ocr"]


def test_customer_report_has_no_per_customer_breakdown() -> None:
    week = build_report_data(WEEK, *_week())
    text = _text(render_report(customer_report_data(week, "acme"), GENERATED_AT).pdf)
    assert "Customer: acme" in text  # on the cover: whose report this is
    for breakdown in ("Documents per customer", "By customer", "Top terms in", "Customers:"):
        assert breakdown not in text
    assert "globex" not in text
    # The vector charts' labels are real text, with this customer's own counts.
    assert "Documents per day" in text and "review below 60" in text
    everything = _text(render_weekly_report(WEEK, *_week(), GENERATED_AT).pdf)
    assert "By customer" in everything and "Documents per customer" in everything


def test_customer_figures_are_the_customers_own() -> None:
    entries, results = _week()
    week = build_report_data(WEEK, entries, results)
    acme = customer_report_data(week, "acme")
    alone = build_report_data(WEEK, entries[:4], results[:4], customer="acme")
    assert acme.summary == alone.summary and acme.summary["documents_total"] == 4
    assert acme.summary["by_customer"] == {}  # the email lists no per-customer breakdown
    assert acme.failures.equals(alone.failures) and acme.per_day.equals(alone.per_day)
    assert render_report(acme, GENERATED_AT).pdf == render_report(alone, GENERATED_AT).pdf


def test_a_customer_without_documents_renders_no_data_charts() -> None:
    week = build_report_data(WEEK, *_week())
    empty = customer_report_data(week, "initech")
    text = _text(render_report(empty, GENERATED_AT).pdf)
    assert "no data" in text and "Customer: initech" in text


def test_trend_panels_draw_gaps_and_history() -> None:
    week = build_report_data(WEEK, *_week())
    history = {  # two earlier weeks, one gap between them
        WEEK - timedelta(weeks=3): {"documents_total": 8, "documents_failed": 1},
        WEEK - timedelta(weeks=1): {"documents_total": 2, "documents_failed": 0},
    }
    data = customer_report_data(week, "acme", history)
    assert isinstance(data.trends[-2], TrendPoint) and data.trends[-2].documents == 2
    text = _text(render_report(data, GENERATED_AT).pdf)
    assert "Documents received" in text and "Failed share (%)" in text


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [(1, [0, 0.5, 1.0]), (7, [0, 5, 10]), (200, [0, 100, 200]), (8.5, [0, 5, 10])],
)
def test_ticks_are_round_and_reach_the_peak(peak, ticks) -> None:
    assert _ticks(peak) == ticks


def test_the_all_report_draws_vector_charts_with_searchable_titles() -> None:
    reader = PdfReader(io.BytesIO(render_weekly_report(WEEK, *_week(), GENERATED_AT).pdf))
    for page in reader.pages:  # no raster image anywhere: every chart is vector shapes
        assert not list(page.images)
    text = _text(render_weekly_report(WEEK, *_week(), GENERATED_AT).pdf)
    for title in ("Documents per day", "Documents per customer", "OCR confidence", "Failed share"):
        assert title in text
    assert "Documents per document type" in text


def test_per_type_trend_lines_appear_for_a_third_consecutive_week() -> None:
    history = {
        WEEK - timedelta(weeks=2): {"documents_total": 5, "by_document_type": {"Lab result": 5}},
        WEEK - timedelta(weeks=1): {"documents_total": 6, "by_document_type": {"Lab result": 4}},
        WEEK - timedelta(weeks=3): {"documents_total": 9},  # before per-type counts: a gap
    }
    data = build_report_data(WEEK, *_week(), history)
    chart = report_charts(data)["type_trends"]
    assert f"Lab result: {(WEEK - timedelta(weeks=2)).isoformat()} 5, " in chart.alt_text
    assert f"{(WEEK - timedelta(weeks=1)).isoformat()} 4" in chart.alt_text
    assert (WEEK - timedelta(weeks=3)).isoformat() not in chart.alt_text
    assert "Documents per document type" in _text(render_report(data, GENERATED_AT).pdf)
