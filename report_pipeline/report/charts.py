"""Small PNG charts for the weekly report.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot so no
global figure registry grows across runs and nothing has to be closed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib
import polars as pl

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from report_pipeline.deid import showable_terms
from report_pipeline.report.aggregate import ReportData
from report_pipeline.report.pdf import displayable
from report_pipeline.report.trends import TREND_PANELS, TrendPoint

DPI = 110
WIDTH_IN = 7.0
COLOR = "#3b6ea8"
WARN = "#b5462f"
LABEL_MAX = 32


def documents_per_day_chart(days: Sequence[date], counts: Sequence[int]) -> bytes:
    """Vertical bars, one per day of the week."""
    labels = [day.strftime("%a\n%m-%d") for day in days]
    fig, ax = _figure(2.6, bottom_in=0.5)
    if not _has_data(counts):
        return _no_data(fig, ax, "Documents per day")
    bars = ax.bar(range(len(labels)), list(counts), color=COLOR)
    ax.set_xticks(range(len(labels)), labels=labels)
    ax.bar_label(bars, fontsize=8, fmt="{:,.0f}")
    ax.margins(y=0.15)  # keeps the tallest bar's label clear of the title
    ax.yaxis.set_visible(False)  # every bar carries its value; fewer texts draw faster
    _finish(ax, "Documents per day")
    return _png(fig)


def content_type_chart(content_types: Sequence[str], counts: Sequence[int]) -> bytes:
    """Horizontal bars of documents per content type (top 10, rest folded)."""
    labels, values = _fold_rest(content_types, counts, limit=10, noun="types")
    return _horizontal_bars(labels, values, "Documents per content type")


def customer_chart(customers: Sequence[str], counts: Sequence[int]) -> bytes:
    """Horizontal bars of documents per customer (top 15, rest folded)."""
    labels, values = _fold_rest(customers, counts, limit=15, noun="customers")
    return _horizontal_bars(labels, values, "Documents per customer")


def top_terms_chart(terms: Sequence[str], counts: Sequence[int], limit: int = 15) -> bytes:
    """Horizontal bars of the most frequent de-identified terms (report_pipeline.deid)."""
    pairs = showable_terms(zip(terms, counts, strict=False))[:limit]
    shown = [term for term, _ in pairs]
    return _horizontal_bars(shown, [count for _, count in pairs], f"Top {len(shown)} terms")


def ocr_confidence_chart(values: Sequence[float], threshold: float | None = None) -> bytes:
    """Histogram of OCR confidence (0-100) in 10-point bins, the review threshold marked."""
    fig, ax = _figure(2.6, bottom_in=0.5, left_in=0.7)
    title = "OCR confidence (images with text)"
    if len(values) == 0:
        return _no_data(fig, ax, title)
    clipped = [min(max(float(v), 0.0), 100.0) for v in values]
    ax.hist(clipped, bins=list(range(0, 101, 10)), color=COLOR, edgecolor="white")
    ax.set_xlim(0, 100)
    if threshold is not None:
        ax.axvline(threshold, color=WARN, linestyle="--", linewidth=1.2)
        ax.annotate(
            f"review below {threshold:g}",
            (threshold, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -10),
            textcoords="offset points",
            fontsize=8,
            color=WARN,
        )
    ax.set_xlabel("confidence", fontsize=8)
    ax.set_ylabel("documents", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, never 0.2 of a document
    _finish(ax, title)
    return _png(fig)


def trend_chart(points: Sequence[TrendPoint]) -> bytes:
    """Four small line panels over the weeks; a week without data is a gap in the line."""
    fig = Figure(figsize=(WIDTH_IN, 4.4), dpi=DPI)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.93, hspace=0.55, wspace=0.18)
    labels = [p.week.strftime("%m-%d") for p in points]
    positions = list(range(len(points)))
    for index, (title, value_of, fmt) in enumerate(TREND_PANELS):
        ax = fig.add_subplot(2, 2, index + 1)
        # NaN, not 0, so matplotlib breaks the line where a week has no data.
        values = [math.nan if (v := value_of(p)) is None else float(v) for p in points]
        ax.plot(positions, values, color=COLOR, marker="o", markersize=3.5, linewidth=1.5)
        if values and not math.isnan(values[-1]):
            ax.plot([positions[-1]], [values[-1]], "o", color=WARN, markersize=5.5)
            ax.annotate(
                fmt.format(values[-1]),
                (positions[-1], values[-1]),
                fontsize=7,
                xytext=(-4, 5),
                textcoords="offset points",
                ha="right",
            )
        shown = positions[::-2][::-1]  # every other week, always this week's
        ax.set_xticks(shown, labels=[labels[i] for i in shown])
        ax.set_xlim(-0.5, len(points) - 0.5)
        if all(math.isnan(v) for v in values):
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="grey")
        # Explicit headroom: the label of this week's point must stay under the title.
        finite = [v for v in values if not math.isnan(v)]
        ax.set_ylim(0, (max(finite) if finite and max(finite) > 0 else 1) * 1.3)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=index != 1 and index != 3))
        if index == 3:  # a confidence is 0-100: the whole scale, so a drop reads as one
            ax.set_ylim(0, 115)
            ax.set_yticks([0, 25, 50, 75, 100])
        _finish(ax, title)
    return _png(fig)


def trend_alt_text(points: Sequence[TrendPoint]) -> str:
    """What the trend chart shows, in words, for readers who do not see it."""
    shown = [p for p in points if p.has_data]
    if not shown:
        return "Trend chart of the last 12 weeks: no published week has data yet."
    parts = [
        f"week of {p.week.isoformat()}: {p.documents:,} documents, "
        f"{_pct(p.failed_share)} failed, "
        f"{'-' if p.needs_review is None else f'{p.needs_review:,}'} to review, "
        f"mean OCR confidence {_confidence(p.mean_ocr_confidence)}"
        for p in shown
    ]
    gaps = len(points) - len(shown)
    return (
        f"Line charts of the last {len(points)} weeks ({gaps} without data): "
        + "; ".join(parts)
        + "."
    )


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


def _horizontal_bars(labels: Sequence[str], values: Sequence[int], title: str) -> bytes:
    texts = [_label(text) for text in labels]
    # Margins from the label length: constrained layout would cost ~40% more time.
    left_in = min(0.25 + 0.068 * max((len(text) for text in texts), default=4), 2.6)
    fig, ax = _figure(0.9 + 0.24 * max(len(labels), 4), left_in=left_in)
    if not _has_data(values):
        return _no_data(fig, ax, title)
    positions = range(len(labels))
    bars = ax.barh(positions, list(values), color=COLOR)
    ax.set_yticks(positions, labels=texts)
    ax.invert_yaxis()  # largest first, reading top-down
    ax.bar_label(bars, fontsize=7, padding=2, fmt="{:,.0f}")
    ax.margins(x=0.12)  # room for the value labels
    ax.xaxis.set_visible(False)  # every bar carries its value; fewer texts draw faster
    _finish(ax, title)
    return _png(fig)


def _fold_rest(
    labels: Sequence[str], values: Sequence[int], limit: int, noun: str
) -> tuple[list[str], list[int]]:
    # Folding keeps the chart readable while the bars still add up to the total.
    labels, values = list(labels), list(values)
    if len(labels) <= limit:
        return labels, values
    rest = len(labels) - (limit - 1)
    kept = limit - 1
    return labels[:kept] + [f"other ({rest} {noun})"], values[:kept] + [sum(values[kept:])]


def _label(text: str) -> str:
    text = displayable(" ".join(str(text).split()))
    if len(text) > LABEL_MAX:
        text = text[: LABEL_MAX - 1]
        if text.rfind("[") > text.rfind("]"):  # do not leave half a [U+XXXX]
            text = text[: text.rfind("[")]
        text += "…"
    # A pair of '$' would otherwise be parsed as mathtext (and may fail to parse).
    return text.replace("$", r"\$")


def _has_data(values: Sequence[int]) -> bool:
    return len(values) > 0 and any(v for v in values)


def _figure(height_in: float, left_in: float = 0.6, bottom_in: float = 0.35) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    fig.subplots_adjust(
        left=left_in / WIDTH_IN,
        right=1 - 0.25 / WIDTH_IN,
        bottom=bottom_in / height_in,
        top=1 - 0.4 / height_in,
    )
    return fig, fig.add_subplot()


def _finish(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=10, loc="left")
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines["bottom"].set_visible(ax.xaxis.get_visible())
    ax.spines["left"].set_visible(ax.yaxis.get_visible())


def _no_data(fig: Figure, ax: Axes, title: str) -> bytes:
    ax.set_axis_off()
    ax.set_title(title, fontsize=10, loc="left")
    ax.text(0.5, 0.5, "no data", ha="center", va="center", fontsize=11, color="grey")
    return _png(fig)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # No Software/date metadata so identical inputs give identical bytes.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def report_charts(data: ReportData) -> dict[str, tuple[str, bytes]]:
    """The report's charts by name, as (alt text, PNG bytes).

    The alt text says what the chart shows in words (a screen reader reads it);
    raw terms are not charted: they may carry patient data (only allow-listed
    terms reach here, see aggregate.py).
    """

    def col(frame: pl.DataFrame, name: str) -> list[Any]:
        return frame.get_column(name).to_list()

    days, types, customers = data.per_day, data.per_content_type, data.per_customer
    ocr = data.ocr_confidences
    return {
        "trends": (trend_alt_text(data.trends), trend_chart(data.trends)),
        "per_day": (
            "Bar chart, documents per day: "
            + ", ".join(
                f"{d.strftime('%a %m-%d')} {n:,}" for d, n in days.select("day", "documents").rows()
            ),
            documents_per_day_chart(col(days, "day"), col(days, "documents")),
        ),
        "content_types": (
            "Bar chart, documents per content type: " + _pairs(types, "content_type"),
            content_type_chart(col(types, "content_type"), col(types, "documents")),
        ),
        "customers": (
            "Bar chart, documents per customer: " + _pairs(customers, "customer"),
            customer_chart(col(customers, "customer"), col(customers, "documents")),
        ),
        "ocr": (
            f"Histogram of OCR confidence of {len(ocr):,} images with text; the dashed line "
            f"marks the review threshold {data.review_confidence:g}",
            ocr_confidence_chart(ocr, data.review_confidence),
        ),
    }


def _pairs(frame: pl.DataFrame, label: str, limit: int = 20) -> str:
    rows = frame.select(label, "documents").rows()
    text = ", ".join(f"{displayable(str(k))} {n:,}" for k, n in rows[:limit])
    return text + (f" and {len(rows) - limit} more" if len(rows) > limit else "") or "none"


def _confidence(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
