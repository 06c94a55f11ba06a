"""Pieces every chart draws with: a title, axes, centred labels, round ticks, gaps.

Kept apart from the charts so the bar charts (report/vector_charts.py) and the
per-type trend lines (report/type_trends.py) share them; the look comes from
report/style.py.
"""

from __future__ import annotations

import math

from report_pipeline.report.pdf import ReportPDF, displayable
from report_pipeline.report.style import (
    AXIS,
    FONT,
    GRID,
    LABEL_MAX,
    MUTED,
    NO_DATA_SIZE,
    TICK_SIZE,
    TITLE_SIZE,
)


def runs(values: list[float | None]) -> list[list[int]]:
    """The indexes of each unbroken run of values: a None (no published week) is a gap."""
    found: list[list[int]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            found.append([])
        else:
            found[-1].append(index)
    return [run for run in found if run]


def ticks(peak: float) -> list[float]:
    """0 and round steps up to at least `peak`: 1, 2 or 5 times a power of ten."""
    raw = peak / 3
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * k for k in range(math.ceil(peak / step - 1e-9) + 1)]


def start(pdf: ReportPDF, title: str) -> tuple[float, float, float]:
    """The chart's title at the current position; (left, top, width) of the chart."""
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.set_font(FONT, "B", TITLE_SIZE)
    pdf.text(x0, y0 + 3.5, title)
    return x0, y0, pdf.epw


def end(pdf: ReportPDF, y0: float, height: float) -> None:
    """Back to the text's pen, below the chart."""
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.set_line_width(0.2)
    pdf.set_text_color(0)
    pdf.set_font(FONT, "", 10)
    pdf.set_y(y0 + height + 3)


def no_data(pdf: ReportPDF, x0: float, y0: float, width: float, height: float) -> None:
    centered(pdf, "no data", x0 + width / 2, y0 + height / 2 + 1, NO_DATA_SIZE, MUTED)
    end(pdf, y0, height)


def centered(
    pdf: ReportPDF, text: str, x: float, baseline: float, size: float, grey: int = 0
) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(grey)
    pdf.text(x - pdf.string_width(text) / 2, baseline, text)
    pdf.set_text_color(0)


def axis(pdf: ReportPDF, x1: float, y1: float, x2: float, y2: float) -> None:
    pdf.set_draw_color(AXIS)
    pdf.set_line_width(0.3)
    pdf.line(x1, y1, x2, y2)


def label(text: str) -> str:
    """One line of displayable text, cut with an ellipsis, never through a [U+XXXX]."""
    text = displayable(" ".join(str(text).split()))
    if len(text) <= LABEL_MAX:
        return text
    text = text[: LABEL_MAX - 1]
    if text.rfind("[") > text.rfind("]"):
        text = text[: text.rfind("[")]
    return text + "…"


def gridlines(
    pdf: ReportPDF, box: tuple[float, float, float, float], steps: list[float], scale_top: float
) -> None:
    """Horizontal gridlines at ``steps`` across ``box`` (left, top, right, bottom), values left."""
    left, top, right, bottom = box
    for tick in steps:
        y = bottom - (bottom - top) * tick / scale_top
        pdf.set_draw_color(GRID if tick else AXIS)
        pdf.set_line_width(0.2)
        pdf.line(left, y, right, y)
        pdf.set_font(FONT, "", TICK_SIZE)
        text = f"{tick:,g}"
        pdf.text(left - 1.2 - pdf.string_width(text), y + 0.9, text)
