"""The last weeks side by side, from the summaries earlier reports published.

No week is re-extracted: each point is read from what that week's report
stored (see pipeline.publish). A week with no published report is a gap
(every value None), never a zero: "no report" and "no documents" differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


# The four trend panels of every report (matplotlib for `all`, vector for a customer):
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
    )


def trend_points(
    week: date, current: Mapping[str, Any], history: Mapping[date, Mapping[str, Any]]
) -> list[TrendPoint]:
    """Twelve points, oldest first; the last is this week's own summary."""
    weeks = trend_weeks(week)
    points = [point_from_summary(w, history.get(w)) for w in weeks[:-1]]
    return points + [point_from_summary(week, current)]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
