"""Documents per document type over the last weeks: one line per type.

The top types over the 12 weeks each get a line, the rest add up to "other".
Counts come from each week's published summary (``by_document_type``); a week
without a report, or published before that field, is a gap, never a zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from report_pipeline.report.chart_parts import centered, end, gridlines, label, runs, start, ticks
from report_pipeline.report.pdf import Chart, ReportPDF
from report_pipeline.report.style import (
    FONT,
    LABEL_SIZE,
    LINE_W,
    MUTED,
    OTHER,
    SERIES,
    TITLE_H,
    Colour,
)
from report_pipeline.report.trends import TrendPoint

TITLE = "Documents per document type"
PLOT_H = 44.0  # mm of the plot; the legend goes below it
LEGEND_ROW, LEGEND_COLUMNS = 4.5, 2

Series = tuple[str, list[float | None], Colour]


def type_series(points: Sequence[TrendPoint], top: int = len(SERIES)) -> list[Series]:
    """(label, weekly counts, colour): the ``top`` types by volume, then "other"."""
    totals: Counter[str] = Counter()
    for point in points:
        totals.update(point.by_type or {})
    ranked = sorted(totals, key=lambda name: (-totals[name], name))
    kept, rest = ranked[:top], set(ranked[top:])
    series: list[Series] = [
        (name, [_count(p, {name}) for p in points], colour)
        for name, colour in zip(kept, SERIES, strict=False)
    ]
    if rest:
        # Named apart from the taxonomy's own "other" type, which may be a top type.
        folded = f"the rest ({len(rest)} types)"
        series.append((folded, [_count(p, rest) for p in points], OTHER))
    return series


def type_trends_chart(points: Sequence[TrendPoint]) -> Chart:
    series = type_series(points)
    legend_rows = -(-max(len(series), 1) // LEGEND_COLUMNS)
    height = TITLE_H + PLOT_H + legend_rows * LEGEND_ROW
    return Chart(_alt_text(points, series), height, lambda pdf: _draw(pdf, points, series, height))


def _count(point: TrendPoint, names: set[str]) -> float | None:
    if point.by_type is None:
        return None
    return float(sum(point.by_type.get(name, 0) for name in names))


def _draw(
    pdf: ReportPDF, points: Sequence[TrendPoint], series: list[Series], height: float
) -> None:
    x0, y0, width = start(pdf, TITLE)
    left, right = x0 + 11, x0 + width - 2
    top, bottom = y0 + TITLE_H + 2, y0 + TITLE_H + PLOT_H - 6
    finite = [v for _, values, _ in series for v in values if v is not None]
    if not finite:
        centered(pdf, "no data", (left + right) / 2, (top + bottom) / 2, 8, MUTED)
    steps = ticks(max(finite, default=0) or 1)
    scale_top = steps[-1] * 1.1
    gridlines(pdf, (left, top, right, bottom), steps, scale_top)
    step = (right - left) / max(len(points), 1)

    def at(index: int, value: float) -> tuple[float, float]:
        return left + (index + 0.5) * step, bottom - (bottom - top) * value / scale_top

    for index in range(len(points) - 1, -1, -2):  # every other week, always this week's
        centered(pdf, points[index].week.strftime("%m-%d"), at(index, 0)[0], bottom + 3.5, 6.5)
    for _name, values, colour in series:
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(LINE_W)
        for run in runs(values):  # a week without counts breaks the line
            if len(run) > 1:
                pdf.polyline([at(i, values[i]) for i in run])
        for index, value in enumerate(values):
            if value is not None:
                pdf.circle(*at(index, value), 0.6, style="F")
    _legend(pdf, series, (x0, bottom + 7, width))
    end(pdf, y0, height)


def _legend(pdf: ReportPDF, series: list[Series], box: tuple[float, float, float]) -> None:
    """Each line's colour, its type and this week's count (a dash: no count this week)."""
    x0, y0, width = box
    column_w = width / LEGEND_COLUMNS
    pdf.set_font(FONT, "", LABEL_SIZE)
    for index, (name, values, colour) in enumerate(series):
        x = x0 + (index % LEGEND_COLUMNS) * column_w
        y = y0 + (index // LEGEND_COLUMNS) * LEGEND_ROW
        pdf.set_fill_color(*colour)
        pdf.rect(x, y - 2.2, 5, 1.6, style="F")
        now = values[-1] if values else None
        shown = "-" if now is None else f"{now:,.0f}"
        pdf.text(x + 7, y, f"{label(name)}: {shown} this week")


def _alt_text(points: Sequence[TrendPoint], series: list[Series]) -> str:
    weeks = [p for p in points if p.by_type is not None]
    if not series:
        return (
            f"Line chart of documents per document type over the last {len(points)} weeks: "
            "no published week has counts per type yet."
        )
    parts = [
        f"{name}: "
        + ", ".join(
            f"{p.week.isoformat()} {values[i]:,.0f}"
            for i, p in enumerate(points)
            if values[i] is not None
        )
        for name, values, _ in series
    ]
    return (
        f"Line chart of documents per document type over the last {len(points)} weeks "
        f"({len(points) - len(weeks)} without counts per type): " + "; ".join(parts) + "."
    )
