"""The last weeks side by side, from the summaries earlier reports published.

No week is re-extracted: each point is read from what that week's report
stored (see pipeline.publish). A week with no published report is a gap
(every value None), never a zero: "no report" and "no documents" differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

TREND_WEEKS = 12


@dataclass(frozen=True)
class TrendPoint:
    week: date
    documents: int | None
    failed: int | None
    needs_review: int | None  # None too for weeks published before the review list existed
    mean_ocr_confidence: float | None
    # Documents per type label; None for a gap and for weeks published before the field.
    by_type: Mapping[str, int] | None = None

    @property
    def week_end(self) -> date:
        return self.week + timedelta(days=6)

    @property
    def failed_share(self) -> float | None:
        if self.documents is None or self.failed is None or not self.documents:
            return None
        return self.failed / self.documents

    @property
    def has_data(self) -> bool:
        return self.documents is not None


# The four trend panels of every report (report/vector_charts.py):
# title, the value of a point (None: a gap), and the label format.
TREND_PANELS: tuple[tuple[str, Callable[[TrendPoint], Any], str], ...] = (
    ("Documents received", lambda p: p.documents, "{:,.0f}"),
    (
        "Failed share (%)",
        lambda p: None if p.failed_share is None else 100 * p.failed_share,
        "{:.1f}",
    ),
    ("Documents needing review", lambda p: p.needs_review, "{:,.0f}"),
    ("Mean OCR confidence", lambda p: p.mean_ocr_confidence, "{:.0f}"),
)


def trend_weeks(week: date, count: int = TREND_WEEKS) -> list[date]:
    """The Mondays of the ``count`` weeks ending with ``week``, oldest first."""
    return [week - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def point_from_summary(week: date, summary: Mapping[str, Any] | None) -> TrendPoint:
    """One week's point; a missing or unreadable summary is a gap."""
    if not summary:
        return TrendPoint(week, None, None, None, None)
    return TrendPoint(
        week=week,
        documents=_int(summary.get("documents_total")),
        failed=_int(summary.get("documents_failed")),
        needs_review=_int(summary.get("needs_review")),
        mean_ocr_confidence=_float(summary.get("mean_ocr_confidence")),
        by_type=_counts(summary.get("by_document_type")),
    )


def trend_points(
    week: date, current: Mapping[str, Any], history: Mapping[date, Mapping[str, Any]]
) -> list[TrendPoint]:
    """Twelve points, oldest first; the last is this week's own summary."""
    weeks = trend_weeks(week)
    points = [point_from_summary(w, history.get(w)) for w in weeks[:-1]]
    return points + [point_from_summary(week, current)]


def trend_alt_text(points: Sequence[TrendPoint]) -> str:
    """What the four trend panels show, in words, for readers who do not see them."""
    shown = [p for p in points if p.has_data]
    if not shown:
        return "Trend chart of the last 12 weeks: no published week has data yet."
    parts = [
        f"week of {p.week.isoformat()}: {p.documents:,} documents, "
        f"{_pct(p.failed_share)} failed, "
        f"{'-' if p.needs_review is None else f'{p.needs_review:,}'} to review, "
        f"mean OCR confidence {_number(p.mean_ocr_confidence)}"
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


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _counts(value: Any) -> dict[str, int] | None:
    if not isinstance(value, Mapping):
        return None
    return {str(k): n for k, v in value.items() if (n := _int(v)) is not None}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
