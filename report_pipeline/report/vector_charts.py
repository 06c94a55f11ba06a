"""Every report's charts, drawn as vector shapes straight into its PDF.

The `all` report once drew matplotlib PNGs and a customer's report these
shapes, with colours copied between the two. Now both draw these: bars,
lines and labels cost about a millisecond a chart, stay sharp at any zoom,
and their labels are real text a reader can search (the PNGs' were not).
Each chart is a ``Chart``: its alt text (a tagged /Figure a screen reader
reads), its height (a chart never splits over two pages) and its drawing.
The look lives in report/style.py; which charts a report has, in report_charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from report_pipeline.report.aggregate import ReportData
from report_pipeline.report.chart_parts import (
    axis,
    centered,
    end,
    gridlines,
    label,
    no_data,
    runs,
    start,
    ticks,
)
from report_pipeline.report.pdf import Chart, ReportPDF, displayable
from report_pipeline.report.style import (
    BAR_ROW,
    COLOR,
    FONT,
    LABEL_SIZE,
    LINE_W,
    MUTED,
    PANEL_TITLE_SIZE,
    TICK_SIZE,
    TITLE_H,
    VALUE_SIZE,
    WARN,
)
from report_pipeline.report.trends import TREND_PANELS, TrendPoint, trend_alt_text
from report_pipeline.report.type_trends import type_trends_chart

BAR_H = 46.0  # mm, the day bars and the histogram
PANEL_H, PANEL_GAP = 40.0, 8.0  # mm, the four trend panels


def report_charts(data: ReportData) -> dict[str, Chart]:
    """The report's charts by name, in the order the PDF places them.

    A customer's report has no documents-per-customer chart: it would be one
    bar, the customer's own. Raw terms are never charted: they may carry
    patient data.
    """
    day_rows = data.per_day.select("day", "documents").rows()
    charts = {
        "trends": Chart(
            trend_alt_text(data.trends),
            2 * PANEL_H + PANEL_GAP,
            lambda pdf: trend_panels(pdf, data.trends),
        ),
        "type_trends": type_trends_chart(data.trends),
        "per_day": Chart(
            "Bar chart, documents per day: "
            + ", ".join(f"{d.strftime('%a %m-%d')} {n:,}" for d, n in day_rows),
            BAR_H,
            lambda pdf: day_bars(pdf, [d for d, _ in day_rows], [n for _, n in day_rows]),
        ),
        "content_types": bars_chart(
            "Documents per content type", data.per_content_type, "content_type", 10, "types"
        ),
    }
    if data.customer is None:
        charts["customers"] = bars_chart(
            "Documents per customer", data.per_customer, "customer", 15, "customers"
        )
    ocr = data.ocr_confidences
    charts["ocr"] = Chart(
        f"Histogram of OCR confidence of {len(ocr):,} images with text; the dashed line "
        f"marks the review threshold {data.review_confidence:g}",
        BAR_H,
        lambda pdf: ocr_histogram(pdf, ocr, data.review_confidence),
    )
    return charts


def bars_chart(title: str, frame: pl.DataFrame, key: str, limit: int, noun: str) -> Chart:
    """Horizontal bars of documents per ``key``: the top ``limit``, the rest one bar."""
    rows = frame.select(key, "documents").rows()
    labels, values = _fold([k for k, _ in rows], rows, limit, noun)
    height = TITLE_H + 2 + BAR_ROW * max(len(labels), 2)
    return Chart(
        f"Bar chart, {title.lower()}: " + _pairs(rows),
        height,
        lambda pdf: horizontal_bars(pdf, title, labels, values),
    )


def day_bars(
    pdf: ReportPDF, days: Sequence[date], counts: Sequence[int], height: float = BAR_H
) -> None:
    """One vertical bar per day of the week, its count above it."""
    x0, y0, width = start(pdf, "Documents per day")
    if not any(counts):
        return no_data(pdf, x0, y0, width, height)
    top, bottom = y0 + TITLE_H + 4, y0 + height - 8
    peak, slot = max(counts), width / len(counts)
    for index, (day, count) in enumerate(zip(days, counts, strict=False)):
        bar = (bottom - top) * count / peak
        left = x0 + index * slot
        pdf.set_fill_color(*COLOR)
        if bar > 0:
            pdf.rect(left + slot * 0.15, bottom - bar, slot * 0.7, bar, style="F")
        centered(pdf, f"{count:,}", left + slot / 2, bottom - bar - 1, VALUE_SIZE)
        centered(pdf, day.strftime("%a"), left + slot / 2, bottom + 3, VALUE_SIZE)
        centered(pdf, day.strftime("%m-%d"), left + slot / 2, bottom + 6, VALUE_SIZE)
    axis(pdf, x0, bottom, x0 + width, bottom)
    end(pdf, y0, height)


def horizontal_bars(
    pdf: ReportPDF, title: str, labels: Sequence[str], values: Sequence[int], row: float = BAR_ROW
) -> None:
    """One bar per label, largest first as given, the value after each bar."""
    height = TITLE_H + 2 + row * max(len(labels), 2)
    x0, y0, width = start(pdf, title)
    if not any(values):
        return no_data(pdf, x0, y0, width, height)
    texts = [label(text) for text in labels]
    pdf.set_font(FONT, "", LABEL_SIZE)
    label_w = min(max(pdf.string_width(text) for text in texts) + 2, width * 0.4)
    left, span = x0 + label_w, width - label_w - 16  # room for the value after the bar
    peak = max(values)
    for index, (text, value) in enumerate(zip(texts, values, strict=False)):
        top = y0 + TITLE_H + 1 + index * row
        bar = span * value / peak
        pdf.set_fill_color(*COLOR)
        if bar > 0:
            pdf.rect(left, top + row * 0.15, bar, row * 0.7, style="F")
        pdf.set_font(FONT, "", LABEL_SIZE)
        pdf.text(left - 1.5 - pdf.string_width(text), top + row * 0.7, text)
        pdf.set_font(FONT, "", VALUE_SIZE)
        pdf.text(left + bar + 1.5, top + row * 0.7, f"{value:,}")
    axis(pdf, left, y0 + TITLE_H + 1, left, y0 + TITLE_H + 1 + len(texts) * row)
    end(pdf, y0, height)


def ocr_histogram(
    pdf: ReportPDF, values: Sequence[float], threshold: float | None, height: float = BAR_H
) -> None:
    """OCR confidence in ten 10-point bins (100 in the last), the review threshold dashed."""
    x0, y0, width = start(pdf, "OCR confidence (images with text)")
    if len(values) == 0:
        return no_data(pdf, x0, y0, width, height)
    bins = [0] * 10
    for value in values:
        bins[min(max(int(float(value) // 10), 0), 9)] += 1
    top, bottom = y0 + TITLE_H + 4, y0 + height - 8
    left, span = x0 + 4, width - 8
    peak, slot = max(bins), span / 10
    pdf.set_draw_color(255)
    pdf.set_line_width(0.3)
    for index, count in enumerate(bins):
        bar = (bottom - top) * count / peak
        if count:
            pdf.set_fill_color(*COLOR)
            pdf.rect(left + index * slot, bottom - bar, slot, bar, style="DF")
            centered(pdf, f"{count:,}", left + (index + 0.5) * slot, bottom - bar - 1, VALUE_SIZE)
    for tick in range(0, 101, 10):
        centered(pdf, str(tick), left + tick / 100 * span, bottom + 3.5, VALUE_SIZE)
    note = "confidence (0-100), documents above each bar"
    centered(pdf, note, x0 + width / 2, bottom + 7, VALUE_SIZE)
    axis(pdf, left, bottom, left + span, bottom)
    if threshold is not None and 0 <= threshold <= 100:
        x = left + threshold / 100 * span
        pdf.set_draw_color(*WARN)
        pdf.set_line_width(0.35)
        pdf.set_dash_pattern(dash=1.2, gap=0.8)
        pdf.line(x, top - 3, x, bottom)
        pdf.set_dash_pattern()
        pdf.set_text_color(*WARN)
        pdf.set_font(FONT, "", VALUE_SIZE)
        pdf.text(x + 1, top - 1, f"review below {threshold:g}")
        pdf.set_text_color(0)
    end(pdf, y0, height)


def trend_panels(pdf: ReportPDF, points: Sequence[TrendPoint], panel_h: float = PANEL_H) -> None:
    """Four line panels over the weeks; a week without data is a gap in the line."""
    gap = PANEL_GAP
    height = 2 * panel_h + gap
    x0, y0 = pdf.l_margin, pdf.get_y()
    panel_w = (pdf.epw - gap) / 2
    for index, (title, value_of, fmt) in enumerate(TREND_PANELS):
        left = x0 + (index % 2) * (panel_w + gap)
        top = y0 + (index // 2) * (panel_h + gap)
        values = [None if (v := value_of(p)) is None else float(v) for p in points]
        ceiling = 100.0 if index == 3 else None  # a confidence is 0-100: the whole scale
        _trend_panel(pdf, (left, top, panel_w, panel_h), title, points, values, fmt, ceiling)
    end(pdf, y0, height)


def _trend_panel(
    pdf: ReportPDF,
    box: tuple[float, float, float, float],
    title: str,
    points: Sequence[TrendPoint],
    values: list[float | None],
    fmt: str,
    ceiling: float | None,
) -> None:
    x0, y0, width, height = box
    pdf.set_font(FONT, "B", PANEL_TITLE_SIZE)
    pdf.text(x0, y0 + 3.5, title)
    left, right = x0 + 11, x0 + width - 2
    top, bottom = y0 + TITLE_H + 2, y0 + height - 5
    finite = [v for v in values if v is not None]
    if not finite:
        centered(pdf, "no data", (left + right) / 2, (top + bottom) / 2, 8, MUTED)
    steps = ticks(ceiling or max(finite, default=0) or 1)
    scale_top = ceiling * 1.15 if ceiling else steps[-1] * 1.15
    gridlines(pdf, (left, top, right, bottom), steps, scale_top)
    step = (right - left) / max(len(points), 1)

    def at(index: int, value: float) -> tuple[float, float]:
        return left + (index + 0.5) * step, bottom - (bottom - top) * value / scale_top

    for index in range(len(points) - 1, -1, -2):  # every other week, always this week's
        week = points[index].week.strftime("%m-%d")
        centered(pdf, week, at(index, 0)[0], bottom + 3.5, TICK_SIZE)
    pdf.set_draw_color(*COLOR)
    pdf.set_line_width(LINE_W)
    for run in runs(values):  # a gap (no published week) breaks the line
        if len(run) > 1:
            pdf.polyline([at(i, values[i]) for i in run])
    pdf.set_fill_color(*COLOR)
    for index, value in enumerate(values):
        if value is not None:
            pdf.circle(*at(index, value), 0.6, style="F")
    if values and values[-1] is not None:  # this week, marked and labelled
        x, y = at(len(values) - 1, values[-1])
        pdf.set_fill_color(*WARN)
        pdf.circle(x, y, 1.0, style="F")
        pdf.set_font(FONT, "", TICK_SIZE)
        text = fmt.format(values[-1])
        pdf.text(x - 1.5 - pdf.string_width(text), y - 1.5, text)


def _fold(labels: list[str], rows: list[tuple[Any, int]], limit: int, noun: str) -> tuple:
    # The bars still add up to the total: the rest is one bar.
    values = [n for _, n in rows]
    if len(labels) <= limit:
        return labels, values
    kept = limit - 1
    rest = f"other ({len(labels) - kept} {noun})"
    return labels[:kept] + [rest], values[:kept] + [sum(values[kept:])]


def _pairs(rows: list[tuple[Any, int]], limit: int = 20) -> str:
    text = ", ".join(f"{displayable(str(k))} {n:,}" for k, n in rows[:limit])
    return text + (f" and {len(rows) - limit} more" if len(rows) > limit else "") or "none"
