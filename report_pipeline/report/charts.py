"""Small PNG charts for the weekly report.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot so no
global figure registry grows across runs and nothing has to be closed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib
import polars as pl

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402  (backend must be chosen first)
from matplotlib.figure import Figure  # noqa: E402

from report_pipeline.deid import showable_terms  # noqa: E402
from report_pipeline.report.aggregate import ReportData  # noqa: E402
from report_pipeline.report.pdf import displayable  # noqa: E402

DPI = 110
WIDTH_IN = 7.0
COLOR = "#3b6ea8"
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


def ocr_confidence_chart(values: Sequence[float]) -> bytes:
    """Histogram of OCR confidence (0-100) in 10-point bins."""
    fig, ax = _figure(2.6, bottom_in=0.5, left_in=0.7)
    title = "OCR confidence (images)"
    if len(values) == 0:
        return _no_data(fig, ax, title)
    clipped = [min(max(float(v), 0.0), 100.0) for v in values]
    ax.hist(clipped, bins=list(range(0, 101, 10)), color=COLOR, edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("confidence", fontsize=8)
    ax.set_ylabel("documents", fontsize=8)
    _finish(ax, title)
    return _png(fig)


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


def _figure(
    height_in: float, left_in: float = 0.6, bottom_in: float = 0.35
) -> tuple[Figure, Axes]:
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


def report_charts(data: ReportData) -> list[tuple[str, bytes]]:
    """The report's charts in display order, as (caption, PNG bytes)."""
    def col(frame: pl.DataFrame, name: str) -> list[Any]:
        return frame.get_column(name).to_list()

    days, types, customers = data.per_day, data.per_content_type, data.per_customer
    terms = data.top_terms
    return [
        ("Documents per day", documents_per_day_chart(col(days, "day"), col(days, "documents"))),
        ("Documents per content type",
         content_type_chart(col(types, "content_type"), col(types, "documents"))),
        ("Documents per customer",
         customer_chart(col(customers, "customer"), col(customers, "documents"))),
        ("OCR confidence", ocr_confidence_chart(data.ocr_confidences)),
        ("Top terms", top_terms_chart(col(terms, "term"), col(terms, "count"))),
    ]
