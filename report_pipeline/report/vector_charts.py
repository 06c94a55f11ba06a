"""A customer report's charts, drawn as vector shapes straight into its PDF.

A week renders one report per customer. Their matplotlib PNGs (a figure, a
raster draw, a PNG encode and a decode into the PDF per chart) were most of a
customer PDF's cost (measured in BENCHMARKS.md). Bars, lines and labels drawn
with fpdf2 cost about a millisecond a chart, stay sharp at any zoom and their
labels are real text a reader can search and a screen reader can read. The
`all` report keeps its matplotlib charts (report/charts.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from report_pipeline.report.aggregate import ReportData
from report_pipeline.report.pdf import FONT, ReportPDF, displayable
from report_pipeline.report.trends import TREND_PANELS, TrendPoint

VectorChart = Callable[[ReportPDF], None]

COLOR = (59, 110, 168)  # the matplotlib charts' #3b6ea8
WARN = (181, 70, 47)  # #b5462f
AXIS, GRID, MUTED = 150, 225, 110
TITLE_H = 6.0  # mm from a chart's top to its plot area
LABEL_MAX = 32


def customer_charts(data: ReportData) -> dict[str, VectorChart]:
    """The charts of a customer's report by name, the same names as report_charts.

    No documents-per-customer chart: it would be one bar, the customer's own.
    """
    days, types = data.per_day, data.per_content_type
    day_rows = days.select("day", "documents").rows()
    type_rows = types.select("content_type", "documents").rows()
    return {
        "trends": lambda pdf: trend_panels(pdf, data.trends),
        "per_day": lambda pdf: day_bars(pdf, [d for d, _ in day_rows], [n for _, n in day_rows]),
        "content_types": lambda pdf: horizontal_bars(
            pdf, "Documents per content type", *_fold([t for t, _ in type_rows], type_rows, 10)
        ),
        "ocr": lambda pdf: ocr_histogram(pdf, data.ocr_confidences, data.review_confidence),
    }


def day_bars(
    pdf: ReportPDF, days: Sequence[date], counts: Sequence[int], height: float = 46
) -> None:
    """One vertical bar per day of the week, its count above it."""
    x0, y0, width = _start(pdf, height, "Documents per day")
    if not any(counts):
        return _no_data(pdf, x0, y0, width, height)
    top, bottom = y0 + TITLE_H + 4, y0 + height - 8
    peak, slot = max(counts), width / len(counts)
    for index, (day, count) in enumerate(zip(days, counts, strict=False)):
        bar = (bottom - top) * count / peak
        left = x0 + index * slot
        pdf.set_fill_color(*COLOR)
        if bar > 0:
            pdf.rect(left + slot * 0.15, bottom - bar, slot * 0.7, bar, style="F")
        _centered(pdf, f"{count:,}", left + slot / 2, bottom - bar - 1, 7)
        _centered(pdf, day.strftime("%a"), left + slot / 2, bottom + 3, 7)
        _centered(pdf, day.strftime("%m-%d"), left + slot / 2, bottom + 6, 7)
    _axis(pdf, x0, bottom, x0 + width, bottom)
    _end(pdf, y0, height)


def horizontal_bars(
    pdf: ReportPDF, title: str, labels: Sequence[str], values: Sequence[int], row: float = 5.0
) -> None:
    """One bar per label, largest first as given, the value after each bar."""
    height = TITLE_H + 2 + row * max(len(labels), 2)
    x0, y0, width = _start(pdf, height, title)
    if not any(values):
        return _no_data(pdf, x0, y0, width, height)
    texts = [_label(text) for text in labels]
    pdf.set_font(FONT, "", 7.5)
    label_w = min(max(pdf.string_width(text) for text in texts) + 2, width * 0.4)
    left, span = x0 + label_w, width - label_w - 16  # room for the value after the bar
    peak = max(values)
    for index, (text, value) in enumerate(zip(texts, values, strict=False)):
        top = y0 + TITLE_H + 1 + index * row
        bar = span * value / peak
        pdf.set_fill_color(*COLOR)
        if bar > 0:
            pdf.rect(left, top + row * 0.15, bar, row * 0.7, style="F")
        pdf.set_font(FONT, "", 7.5)
        pdf.text(left - 1.5 - pdf.string_width(text), top + row * 0.7, text)
        pdf.set_font(FONT, "", 7)
        pdf.text(left + bar + 1.5, top + row * 0.7, f"{value:,}")
    _axis(pdf, left, y0 + TITLE_H + 1, left, y0 + TITLE_H + 1 + len(texts) * row)
    _end(pdf, y0, height)


def ocr_histogram(
    pdf: ReportPDF, values: Sequence[float], threshold: float | None, height: float = 46
) -> None:
    """OCR confidence in ten 10-point bins (100 in the last), the review threshold dashed."""
    x0, y0, width = _start(pdf, height, "OCR confidence (images with text)")
    if len(values) == 0:
        return _no_data(pdf, x0, y0, width, height)
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
            _centered(pdf, f"{count:,}", left + (index + 0.5) * slot, bottom - bar - 1, 7)
    for tick in range(0, 101, 10):
        _centered(pdf, str(tick), left + tick / 100 * span, bottom + 3.5, 7)
    _centered(pdf, "confidence (0-100), documents above each bar", x0 + width / 2, bottom + 7, 7)
    _axis(pdf, left, bottom, left + span, bottom)
    if threshold is not None and 0 <= threshold <= 100:
        x = left + threshold / 100 * span
        pdf.set_draw_color(*WARN)
        pdf.set_line_width(0.35)
        pdf.set_dash_pattern(dash=1.2, gap=0.8)
        pdf.line(x, top - 3, x, bottom)
        pdf.set_dash_pattern()
        pdf.set_text_color(*WARN)
        pdf.set_font(FONT, "", 7)
        pdf.text(x + 1, top - 1, f"review below {threshold:g}")
        pdf.set_text_color(0)
    _end(pdf, y0, height)


def trend_panels(pdf: ReportPDF, points: Sequence[TrendPoint], panel_h: float = 40) -> None:
    """Four line panels over the weeks; a week without data is a gap in the line."""
    gap = 8.0
    height = 2 * panel_h + gap
    pdf.ensure_space(height + 3)
    x0, y0 = pdf.l_margin, pdf.get_y()
    panel_w = (pdf.epw - gap) / 2
    for index, (title, value_of, fmt) in enumerate(TREND_PANELS):
        left = x0 + (index % 2) * (panel_w + gap)
        top = y0 + (index // 2) * (panel_h + gap)
        values = [None if (v := value_of(p)) is None else float(v) for p in points]
        ceiling = 100.0 if index == 3 else None  # a confidence is 0-100: the whole scale
        _trend_panel(pdf, (left, top, panel_w, panel_h), title, points, values, fmt, ceiling)
    _end(pdf, y0, height)


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
    pdf.set_font(FONT, "B", 8.5)
    pdf.text(x0, y0 + 3.5, title)
    left, right = x0 + 11, x0 + width - 2
    top, bottom = y0 + TITLE_H + 2, y0 + height - 5
    finite = [v for v in values if v is not None]
    if not finite:
        _centered(pdf, "no data", (left + right) / 2, (top + bottom) / 2, 8, MUTED)
    ticks = _ticks(ceiling or max(finite, default=0) or 1)
    scale_top = ceiling * 1.15 if ceiling else ticks[-1] * 1.15
    for tick in ticks:  # gridlines with their value at the left
        y = bottom - (bottom - top) * tick / scale_top
        pdf.set_draw_color(GRID if tick else AXIS)
        pdf.set_line_width(0.2)
        pdf.line(left, y, right, y)
        pdf.set_font(FONT, "", 6.5)
        label = f"{tick:,g}"
        pdf.text(left - 1.2 - pdf.string_width(label), y + 0.9, label)
    step = (right - left) / max(len(points), 1)

    def at(index: int, value: float) -> tuple[float, float]:
        return left + (index + 0.5) * step, bottom - (bottom - top) * value / scale_top

    for index in range(len(points) - 1, -1, -2):  # every other week, always this week's
        _centered(pdf, points[index].week.strftime("%m-%d"), at(index, 0)[0], bottom + 3.5, 6.5)
    pdf.set_draw_color(*COLOR)
    pdf.set_line_width(0.5)
    for run in _runs(values):  # a gap (no published week) breaks the line
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
        pdf.set_font(FONT, "", 6.5)
        label = fmt.format(values[-1])
        pdf.text(x - 1.5 - pdf.string_width(label), y - 1.5, label)


def _runs(values: list[float | None]) -> list[list[int]]:
    runs: list[list[int]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(index)
    return [run for run in runs if run]


def _ticks(peak: float) -> list[float]:
    """0 and round steps up to at least `peak`: 1, 2 or 5 times a power of ten."""
    raw = peak / 3
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * k for k in range(math.ceil(peak / step - 1e-9) + 1)]


def _start(pdf: ReportPDF, height: float, title: str) -> tuple[float, float, float]:
    pdf.ensure_space(height + 3)  # a chart is never split over two pages
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_font(FONT, "B", 9.5)
    pdf.text(x0, y0 + 3.5, title)
    return x0, y0, pdf.epw


def _end(pdf: ReportPDF, y0: float, height: float) -> None:
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.set_line_width(0.2)
    pdf.set_text_color(0)
    pdf.set_font(FONT, "", 10)
    pdf.set_y(y0 + height + 3)


def _no_data(pdf: ReportPDF, x0: float, y0: float, width: float, height: float) -> None:
    _centered(pdf, "no data", x0 + width / 2, y0 + height / 2 + 1, 10, MUTED)
    _end(pdf, y0, height)


def _centered(
    pdf: ReportPDF, text: str, x: float, baseline: float, size: float, grey: int = 0
) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(grey)
    pdf.text(x - pdf.string_width(text) / 2, baseline, text)
    pdf.set_text_color(0)


def _axis(pdf: ReportPDF, x1: float, y1: float, x2: float, y2: float) -> None:
    pdf.set_draw_color(AXIS)
    pdf.set_line_width(0.3)
    pdf.line(x1, y1, x2, y2)


def _label(text: str) -> str:
    text = displayable(" ".join(str(text).split()))
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _fold(labels: list[str], rows: list[tuple[str, int]], limit: int) -> tuple[list, list]:
    # The bars still add up to the total: the rest is one bar.
    values = [n for _, n in rows]
    if len(labels) <= limit:
        return labels, values
    kept = limit - 1
    rest = f"other ({len(labels) - kept} types)"
    return labels[:kept] + [rest], values[:kept] + [sum(values[kept:])]
