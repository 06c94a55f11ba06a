import struct
from datetime import timedelta

import pytest

from report_pipeline.report import charts
from report_pipeline.report.aggregate import build_report_data
from report_pipeline_tests.report.factories import WEEK, synthetic_week

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DAYS = [WEEK + timedelta(days=i) for i in range(7)]


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.documents_per_day_chart(DAYS, [3, 0, 5, 1, 0, 0, 2]),
        lambda: charts.content_type_chart(["text/plain", "image/png"], [4, 2]),
        lambda: charts.customer_chart(["Klinik Müller", "acme"], [10, 1]),
        lambda: charts.ocr_confidence_chart([12.5, 88.0, 100.0, 0.0]),
        lambda: charts.top_terms_chart(["dose", "trial"], [9, 4]),
    ],
)
def test_charts_are_png(draw):
    width, height = png_size(draw())
    assert width > 300 and height > 100


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.documents_per_day_chart(DAYS, [0] * 7),
        lambda: charts.documents_per_day_chart([], []),
        lambda: charts.content_type_chart([], []),
        lambda: charts.customer_chart([], []),
        lambda: charts.ocr_confidence_chart([]),
        lambda: charts.top_terms_chart([], []),
    ],
)
def test_empty_data_renders_a_no_data_chart(draw):
    png_size(draw())


def test_labels_with_dollars_and_unicode_do_not_break_rendering():
    terms = ["$5$", "$", "naïve", "東京", "a" * 200, "line\nbreak"]
    png_size(charts.top_terms_chart(terms, [6, 5, 4, 3, 2, 1]))


def test_many_customers_fold_into_one_bar_and_keep_the_chart_small():
    names = [f"customer-{i:03d}" for i in range(500)]
    width, height = png_size(charts.customer_chart(names, list(range(500, 0, -1))))
    assert height < 1000


def test_report_charts_cover_every_chart_in_order():
    entries, results = synthetic_week(200)
    drawn = charts.report_charts(build_report_data(WEEK, entries, results))

    assert list(drawn) == ["trends", "per_day", "content_types", "customers", "ocr"]
    for alt_text, png in drawn.values():
        assert alt_text  # every chart carries a description for screen readers
        png_size(png)
