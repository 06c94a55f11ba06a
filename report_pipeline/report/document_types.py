"""The week by document type: counts per type and per trial, "Read today" and "Gone quiet".

Types come from the classifier (features["document_type"]); only the type's
key and its taxonomy label are used, never the cues or the text. The catalog
has no site field: a trial id, and the customer that sent it, stand in for
the site.

"Gone quiet" compares this week's documents per trial with the summaries
earlier reports published (``by_trial``); a week whose summary predates that
field is "no data" and left out, never counted as zero.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from report_pipeline.classify.taxonomy import NOT_CLASSIFIED

ADVERSE_EVENT = "adverse_event_report"
QUIET_WEEKS = 8  # the published weeks a trial's usual volume is the median of
QUIET_MIN_WEEKS = 2  # fewer weeks with data: too little to call a trial quiet
QUIET_SHARE = 0.5  # below half of the median is "gone quiet"


@dataclass(frozen=True)
class QuietTrial:
    trial_id: str
    documents: int  # this week
    median: float  # over the weeks compared
    weeks: int  # how many published weeks with data were compared

    def words(self) -> str:
        if not self.documents:
            return f"trial {self.trial_id} sent nothing this week"
        return f"trial {self.trial_id} sent {self.documents:,} (usually {self.median:g})"

    def to_json(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "documents": self.documents,
            "median": self.median,
            "weeks": self.weeks,
        }


def type_columns(features: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """(type key, label) of a document's features; (None, None) when not classified."""
    found = (features or {}).get("document_type")
    if not isinstance(found, Mapping) or not isinstance(found.get("type"), str):
        return None, None
    label = found.get("label")
    return found["type"], label if isinstance(label, str) and label else found["type"]


def per_type(docs: pl.DataFrame, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """label, doc_type, documents: most frequent first, the unclassified last."""
    counts = (
        docs.with_columns(pl.col("type_label").fill_null(NOT_CLASSIFIED))
        .group_by(*by, "type_label")
        .agg(pl.len().cast(pl.Int64).alias("documents"), pl.col("doc_type").first())
        .with_columns((pl.col("type_label") == NOT_CLASSIFIED).alias("_last"))
    )
    keys = [*by, "_last", "documents", "type_label"]
    return counts.sort(keys, descending=[False] * len(by) + [False, True, False]).drop("_last")


def trial_types(docs: pl.DataFrame) -> pl.DataFrame:
    """customer, trial_id, type_label, documents: each trial's (and customer's) types."""
    return (
        docs.with_columns(pl.col("type_label").fill_null(NOT_CLASSIFIED))
        .group_by("customer", "trial_id", "type_label")
        .agg(pl.len().cast(pl.Int64).alias("documents"))
        .sort(
            ["customer", "trial_id", "documents", "type_label"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
    )


def read_today(docs: pl.DataFrame) -> pl.DataFrame:
    """Adverse-event reports by id: document_id, customer, trial_id. Ids only."""
    return (
        docs.filter(pl.col("doc_type") == ADVERSE_EVENT)
        .select("document_id", "customer", "trial_id")
        .sort(["customer", "document_id"])
    )


def counts_of(frame: pl.DataFrame, key: str, value: str = "documents") -> dict[str, int]:
    return {
        str(k): int(v)
        for k, v in zip(frame.get_column(key), frame.get_column(value), strict=False)
        if k is not None
    }


def gone_quiet(
    week: date, by_trial: Mapping[str, int], history: Mapping[date, Mapping[str, Any]]
) -> list[QuietTrial]:
    """Trials whose documents this week fell below half their median over the last weeks.

    The median is over the last QUIET_WEEKS published weeks whose summary has
    ``by_trial`` (a trial absent from such a week sent 0 that week). A trial
    with no documents this week but some before is listed as sending nothing.
    """
    earlier = [
        counts
        for w in sorted(history, reverse=True)
        if w < week and isinstance(counts := history[w].get("by_trial"), Mapping)
    ][:QUIET_WEEKS]
    if len(earlier) < QUIET_MIN_WEEKS:
        return []
    trials = sorted({str(t) for counts in earlier for t in counts} | set(by_trial))
    quiet = []
    for trial in trials:
        median = statistics.median(_count(counts.get(trial)) for counts in earlier)
        now = int(by_trial.get(trial, 0))
        if median > 0 and now < QUIET_SHARE * median:
            quiet.append(QuietTrial(trial, now, float(median), len(earlier)))
    return sorted(quiet, key=lambda q: (q.documents, q.trial_id))


def previous_type_counts(
    week: date, history: Mapping[date, Mapping[str, Any]]
) -> dict[str, int] | None:
    """Last week's counts by type label; None when that week has none published."""
    for w, summary in history.items():
        if (week - w).days == 7:
            counts = summary.get("by_document_type")
            return dict(counts) if isinstance(counts, Mapping) else None
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
