"""Turn one week's manifest and feature results into report-ready tables.

Only the conversion from Python objects to columns walks the documents one by
one; every count, sum and mean is computed by polars.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from report_pipeline.deid import sanitize_reason, vocabulary
from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.report.causes import CAUSES, classify
from report_pipeline.report.document_types import (
    QuietTrial,
    counts_of,
    gone_quiet,
    per_type,
    previous_type_counts,
    read_today,
    trial_types,
    type_columns,
)
from report_pipeline.report.trends import TrendPoint, trend_points

MISSING_STAGE = "features"
# The features of a document the report reads (_document_row, _append_terms): the
# report step reads only these of the week's results.
REPORT_FEATURES = (
    "words",
    "word_count",
    "ocr_confidence",
    "no_text_found",
    "top_terms",
    "document_type",
)
MISSING_REASON = "no result"
UNKNOWN_STAGE = "unknown"
UNKNOWN_REASON = "no reason given"
CUSTOMER_TERMS_LIMIT = 10
DEFAULT_REVIEW_CONFIDENCE = 60.0
NO_TRIAL = "(no trial)"
NO_TEXT_REASON = "no text found in image"

DOC_SCHEMA: dict[str, Any] = {
    "document_id": pl.String,
    "customer": pl.String,
    "trial_id": pl.String,
    "content_type": pl.String,
    "day": pl.Date,
    "size": pl.Int64,
    "status": pl.String,
    "kind": pl.String,
    "stage": pl.String,
    "reason": pl.String,
    "words": pl.Int64,
    "ocr_confidence": pl.Float64,
    "no_text": pl.Boolean,  # an image OCR found no text in (a photo, a blank page)
    "review": pl.String,  # why a person should look at it, None when nothing to check
    "doc_type": pl.String,  # the classifier's type key, None when not classified
    "type_label": pl.String,  # that type's label in the taxonomy
    "late_for": pl.String,  # a late arrival: the published week it was created in
}
TERM_SCHEMA: dict[str, Any] = {"customer": pl.String, "term": pl.String, "count": pl.Int64}
FAILED = (pl.col("status") == "failed").sum()


@dataclass
class ReportData:
    """Everything the charts, the PDF and the markdown need for one week."""

    week_start: date
    summary: dict[str, Any]
    documents: pl.DataFrame  # one row per document, DOC_SCHEMA
    per_day: pl.DataFrame  # day, documents, failed; always the 7 days of the week
    per_content_type: pl.DataFrame  # content_type, documents, failed
    per_customer: pl.DataFrame  # customer, documents, ok, failed, bytes, words, mean_ocr_confidence
    customer_content_types: pl.DataFrame  # customer, content_type, documents
    ocr_confidences: list[float]
    top_terms: pl.DataFrame  # term, count; all terms, most frequent first
    customer_top_terms: pl.DataFrame  # customer, term, count; top terms of each customer
    failures: pl.DataFrame  # document_id, customer, content_type, stage, reason (sanitized), cause
    outside_week: int  # documents whose created_at is not in the week (not in per_day)
    needs_review: pl.DataFrame  # document_id, customer, trial_id, content_type, reason
    per_trial: pl.DataFrame  # trial_id, documents, failed, needs_review
    failure_causes: pl.DataFrame  # cause, documents; most frequent first
    trends: list[TrendPoint]  # the last 12 weeks, oldest first, this week last
    review_confidence: float
    terms: pl.DataFrame  # customer, term, count; every de-identified term of the week
    per_type: pl.DataFrame  # type_label, documents, doc_type; most frequent first
    trial_types: pl.DataFrame  # customer, trial_id, type_label, documents
    read_today: pl.DataFrame  # document_id, customer, trial_id: adverse-event reports
    gone_quiet: list[QuietTrial]  # trials below half their usual weekly documents
    previous_types: dict[str, int] | None  # last week's counts by type label; None: no data
    customer: str | None = None  # a customer's report; None is the `all` report

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @functools.cached_property
    def by_customer(self) -> dict[str, Breakdowns]:
        """Each customer's rows and breakdowns, computed once for every customer's report."""
        return _split_by_customer(self)


def build_report_data(
    week_start: date,
    entries: list[ManifestEntry],
    results: list[FeatureResult],
    history: dict[date, dict[str, Any]] | None = None,
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE,
    customer: str | None = None,
) -> ReportData:
    """Aggregate one week. Every entry is counted once, ok or failed.

    ``history`` maps earlier weeks to the summaries their reports published;
    it feeds the trend section (missing weeks are gaps). ``customer``: the
    entries are that customer's, for its own report.
    """
    doc_cols, term_cols = _collect_columns(entries, results, review_confidence)
    docs = pl.DataFrame(doc_cols, schema=DOC_SCHEMA)
    return report_data_of_rows(
        week_start, docs, _term_frame(term_cols), history, review_confidence, customer
    )


def report_data_of_rows(
    week_start: date,
    docs: pl.DataFrame,
    terms: pl.DataFrame,
    history: dict[date, dict[str, Any]] | None = None,
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE,
    customer: str | None = None,
) -> ReportData:
    """Aggregate a week already turned into rows: ``docs`` (DOC_SCHEMA, one row per
    document in manifest order) and ``terms`` (TERM_SCHEMA; any split of the same
    counts into rows gives the same report: terms are only ever summed)."""
    if week_start.weekday() != 0:
        # A shifted week would silently move documents between days and weeks.
        raise ValueError(f"week_start must be a Monday, got {week_start.isoformat()}")
    return _aggregate(week_start, docs, terms, history, review_confidence, customer)


def customer_report_data(
    week: ReportData, customer: str, history: dict[date, dict[str, Any]] | None = None
) -> ReportData:
    """One customer's report from the week's already aggregated tables.

    The week's rows are walked once (build_report_data) and each breakdown is
    grouped by customer once (``week.by_customer``); a customer's report takes
    its slice of each instead of aggregating its rows again, so 50 customers
    cost 50 lookups, not 50 times a dozen small polars queries. ``history``:
    that customer's earlier summaries.
    """
    parts = week.by_customer.get(customer)
    if parts is None:  # subscribers but no documents this week (REPORT_PIPELINE_MAIL_EMPTY_WEEKS)
        return _aggregate(
            week.week_start,
            week.documents.clear(),
            week.terms.clear(),
            history,
            week.review_confidence,
            customer=customer,
        )
    return _assemble(week.week_start, parts, history, week.review_confidence, customer)


def _split_by_customer(week: ReportData) -> dict[str, Breakdowns]:
    """Every breakdown of the week, grouped by customer once and sliced per customer."""
    by = ("customer",)
    docs = _parts(week.documents)
    terms = _parts(week.terms)
    keyed = {  # breakdowns whose rows carry the customer anyway: slices of the week's
        "per_customer": _parts(week.per_customer),
        "customer_content_types": _parts(week.customer_content_types),
        "customer_top_terms": _parts(week.customer_top_terms),
        "failures": _parts(week.failures),
        "needs_review": _parts(week.needs_review),
        "trial_types": _parts(week.trial_types),
        "read_today": _parts(week.read_today),
    }
    grouped = {  # per-customer versions of the `all` report's breakdowns
        "per_day": _parts(_per_day(week.documents, week.week_start, by), drop=by),
        "per_content_type": _parts(_per_content_type(week.documents, by), drop=by),
        "top_terms": _parts(_top_terms(week.terms, by), drop=by),
        "failure_causes": _parts(_failure_causes(week.failures, by), drop=by),
        "per_trial": _parts(_per_trial(week.documents, by), drop=by),
        "per_type": _parts(per_type(week.documents, by), drop=by),
    }
    # A customer with no row in a breakdown (no terms, no failure): its columns, no rows.
    empty = {name: getattr(week, name).clear() for name in keyed | grouped}
    split: dict[str, Breakdowns] = {}
    for customer, customer_docs in docs.items():
        tables = {
            name: parts.get(customer, empty[name]) for name, parts in (keyed | grouped).items()
        }
        split[customer] = Breakdowns(
            docs=customer_docs, terms=terms.get(customer, week.terms.clear()), **tables
        )
    return split


def _parts(frame: pl.DataFrame, drop: tuple[str, ...] = ()) -> dict[str, pl.DataFrame]:
    # partition_by keeps each group's rows in the frame's (sorted) order.
    parts = frame.partition_by("customer", as_dict=True, maintain_order=True)
    return {key[0]: part.drop(drop) for key, part in parts.items() if key[0] is not None}


@dataclass(frozen=True)
class Breakdowns:
    """One scope's rows and the tables computed from them."""

    docs: pl.DataFrame
    terms: pl.DataFrame
    per_day: pl.DataFrame
    per_customer: pl.DataFrame
    per_content_type: pl.DataFrame
    customer_content_types: pl.DataFrame
    top_terms: pl.DataFrame
    customer_top_terms: pl.DataFrame
    failures: pl.DataFrame
    needs_review: pl.DataFrame
    per_trial: pl.DataFrame
    failure_causes: pl.DataFrame
    per_type: pl.DataFrame
    trial_types: pl.DataFrame
    read_today: pl.DataFrame


def _aggregate(
    week_start: date,
    docs: pl.DataFrame,
    terms: pl.DataFrame,
    history: dict[date, dict[str, Any]] | None,
    review_confidence: float,
    customer: str | None = None,
) -> ReportData:
    failures = _failures(docs)
    parts = Breakdowns(
        docs=docs,
        terms=terms,
        per_day=_per_day(docs, week_start),
        per_customer=_per_customer(docs),
        per_content_type=_per_content_type(docs),
        customer_content_types=_customer_content_types(docs),
        top_terms=_top_terms(terms),
        customer_top_terms=_customer_top_terms(terms),
        failures=failures,
        needs_review=_needs_review(docs),
        per_trial=_per_trial(docs),
        failure_causes=_failure_causes(failures),
        per_type=per_type(docs),
        trial_types=trial_types(docs),
        read_today=read_today(docs),
    )
    return _assemble(week_start, parts, history, review_confidence, customer)


def _assemble(
    week_start: date,
    parts: Breakdowns,
    history: dict[date, dict[str, Any]] | None,
    review_confidence: float,
    customer: str | None,
) -> ReportData:
    docs, failures = parts.docs, parts.failures
    summary = _summary(week_start, docs, parts.per_content_type, parts.per_customer, failures)
    summary.update(
        needs_review=len(parts.needs_review),
        review_confidence=review_confidence,
        failed_share=round(len(failures) / len(docs), 4) if len(docs) else None,
    )
    if customer is not None:  # its email lists no per-customer breakdown (one row, its own)
        summary["by_customer"] = {}
    by_trial = counts_of(parts.per_trial.filter(pl.col("trial_id") != NO_TRIAL), "trial_id")
    quiet = gone_quiet(week_start, by_trial, history or {})
    summary.update(  # later weeks compare with these (gone_quiet, the change per type)
        by_document_type=counts_of(parts.per_type, "type_label"),
        by_trial=by_trial,
        read_today=len(parts.read_today),
        gone_quiet=[q.to_json() for q in quiet],
    )
    late = counts_of(
        docs.filter(pl.col("late_for").is_not_null()).group_by("late_for").len("documents"),
        "late_for",
    )
    if late:  # weeks without late arrivals keep the summary they always had
        summary["late_arrivals"] = dict(sorted(late.items()))
    return ReportData(
        week_start=week_start,
        summary=summary,
        documents=docs,
        per_day=parts.per_day,
        per_content_type=parts.per_content_type,
        per_customer=parts.per_customer,
        customer_content_types=parts.customer_content_types,
        ocr_confidences=docs.get_column("ocr_confidence").drop_nulls().to_list(),
        top_terms=parts.top_terms,
        customer_top_terms=parts.customer_top_terms,
        failures=failures,
        outside_week=len(docs) - int(parts.per_day.get_column("documents").sum()),
        needs_review=parts.needs_review,
        per_trial=parts.per_trial,
        failure_causes=parts.failure_causes,
        trends=trend_points(week_start, summary, history or {}),
        review_confidence=review_confidence,
        terms=parts.terms,
        per_type=parts.per_type,
        trial_types=parts.trial_types,
        read_today=parts.read_today,
        gone_quiet=quiet,
        previous_types=previous_type_counts(week_start, history or {}),
        customer=customer,
    )


def _collect_columns(
    entries: list[ManifestEntry], results: list[FeatureResult], review_confidence: float
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    # Later results win: a retried extraction replaces the earlier attempt.
    by_id = {result.document_id: result for result in results}
    docs: dict[str, list[Any]] = {name: [] for name in DOC_SCHEMA}
    terms: dict[str, list[Any]] = {name: [] for name in TERM_SCHEMA}
    seen: set[str] = set()
    for entry in entries:
        record = entry.record
        if record.document_id in seen:  # a document listed twice is still one document
            continue
        seen.add(record.document_id)
        row = _document_row(entry, by_id.get(record.document_id), review_confidence)
        for name, value in row.items():
            docs[name].append(value)
        if row["status"] == "ok":
            _append_terms(terms, row["customer"], by_id[record.document_id].features)
    return docs, terms


def _document_row(
    entry: ManifestEntry, result: FeatureResult | None, review_confidence: float
) -> dict[str, Any]:
    row = entry_columns(entry)
    if result is not None:
        row.update(result_columns(result, review_confidence))
    return row


def entry_columns(entry: ManifestEntry) -> dict[str, Any]:
    """A document's row as its manifest entry alone gives it: failed, no result."""
    record = entry.record
    return {
        "document_id": record.document_id,
        "customer": record.customer_id,
        "trial_id": record.trial_id or None,
        "content_type": record.content_type or "unknown",
        "day": _utc_day(record.created_at),
        "size": int(record.size or 0),
        "status": "failed",
        "kind": None,
        "stage": MISSING_STAGE,
        "reason": _missing_reason(entry),
        "words": None,
        "ocr_confidence": None,
        "no_text": None,
        "review": None,
        "doc_type": None,
        "type_label": None,
        "late_for": entry.late_for,
    }


# The columns of a row its result sets (the rest come from the manifest entry).
RESULT_COLUMNS = (
    "status",
    "kind",
    "stage",
    "reason",
    "words",
    "ocr_confidence",
    "no_text",
    "review",
    "doc_type",
    "type_label",
)


def result_columns(result: FeatureResult, review_confidence: float) -> dict[str, Any]:
    """The RESULT_COLUMNS of a document's row, from its feature result."""
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS)
    row["kind"] = result.kind
    if result.status != "ok":
        row.update(
            status="failed",
            stage=result.stage or UNKNOWN_STAGE,
            reason=result.reason or UNKNOWN_REASON,
        )
        return row
    features = result.features or {}
    row["status"] = "ok"
    row["doc_type"], row["type_label"] = type_columns(features)
    row["words"] = _as_int(features.get("words" if result.kind == "text" else "word_count"))
    if result.kind in ("image", "pdf"):  # a PDF's confidence covers its OCR'd pages
        row["ocr_confidence"] = _as_float(features.get("ocr_confidence"))
        row["no_text"] = bool(features.get("no_text_found"))
        row["review"] = _review_reason(
            row["no_text"] or (result.kind == "image" and not row["words"]),
            row["ocr_confidence"],
            review_confidence,
        )
    return row


def _review_reason(no_text: bool, confidence: float | None, threshold: float) -> str | None:
    # An image with no recognised word is either a photo or a scan the OCR could
    # not read: either way only a person can tell, so it is listed, not hidden.
    if no_text:
        return NO_TEXT_REASON
    if confidence is not None and confidence < threshold:
        # Short: one table row per document, the section's text says what it means.
        return f"low OCR confidence ({confidence:.0f} < {threshold:g})"
    return None


def _missing_reason(entry: ManifestEntry) -> str:
    # The listing error, when there is one, is what an operator needs to act on.
    if entry.error:
        return f"{MISSING_REASON} (listing error: {entry.error})"
    return MISSING_REASON


def _append_terms(terms: dict[str, list[Any]], customer: str, features: dict[str, Any]) -> None:
    for term, count in term_pairs(features):
        terms["customer"].append(customer)
        terms["term"].append(term)
        terms["count"].append(count)


def term_pairs(features: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """A document's (term, count) pairs of the right shape; polars coerces the values in bulk."""
    for pair in features.get("top_terms") or []:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            yield pair[0], pair[1]


def _term_frame(terms: dict[str, list[Any]]) -> pl.DataFrame:
    """Terms as (customer, term, count); entries whose values do not convert are dropped."""
    customers = pl.Series("customer", terms["customer"], dtype=pl.String)
    return allowed_terms(pl.DataFrame([customers, *term_series(terms["term"], terms["count"])]))


def term_series(terms: list[Any], counts: list[Any]) -> tuple[pl.Series, pl.Series]:
    """The term and count columns; a value that does not convert becomes null."""
    return (
        pl.Series("term", terms, dtype=pl.String, strict=False),
        pl.Series("count", counts, dtype=pl.Int64, strict=False),
    )


def allowed_terms(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``frame`` with a term of the de-identification allow-list and a count.

    Cached features computed before the filter existed still carry raw terms (names, ids).
    """
    allowed = pl.col("term").str.to_lowercase().is_in(_allowed_terms())
    return frame.filter(allowed).drop_nulls("count")


@functools.lru_cache(maxsize=1)
def _allowed_terms() -> pl.Series:
    # Built once: the allow-list as a column, for a vectorised is_in.
    return pl.Series(sorted(vocabulary()), dtype=pl.String)


def _utc_day(moment: datetime) -> date:
    # Naive timestamps are taken as UTC, the catalog's convention (see to_json).
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# `by`: extra group keys in front (("customer",) computes every customer's at once);
# rows are sorted by them first, then as the `all` report sorts them.


def _per_day(docs: pl.DataFrame, week_start: date, by: tuple[str, ...] = ()) -> pl.DataFrame:
    days = pl.DataFrame(
        {"day": [week_start + timedelta(days=i) for i in range(7)]}, schema={"day": pl.Date}
    )
    if by:  # the 7 days for every group
        days = docs.select(by).unique().join(days, how="cross")
    counts = docs.group_by(*by, "day").agg(pl.len().alias("documents"), FAILED.alias("failed"))
    return (
        days.join(counts, on=[*by, "day"], how="left")
        .with_columns(pl.col("documents", "failed").fill_null(0).cast(pl.Int64))
        .sort([*by, "day"])
    )


def _sorted(frame: pl.DataFrame, by: tuple[str, ...], keys: list[str], descending: list[bool]):
    return frame.sort([*by, *keys], descending=[False] * len(by) + descending)


def _per_content_type(docs: pl.DataFrame, by: tuple[str, ...] = ()) -> pl.DataFrame:
    counts = docs.group_by(*by, "content_type").agg(
        pl.len().cast(pl.Int64).alias("documents"), FAILED.cast(pl.Int64).alias("failed")
    )
    return _sorted(counts, by, ["documents", "content_type"], [True, False])


def _per_customer(docs: pl.DataFrame) -> pl.DataFrame:
    return (
        docs.group_by("customer")
        .agg(
            pl.len().cast(pl.Int64).alias("documents"),
            (pl.col("status") == "ok").sum().cast(pl.Int64).alias("ok"),
            FAILED.cast(pl.Int64).alias("failed"),
            pl.col("size").sum().alias("bytes"),
            pl.col("words").sum().alias("words"),
            pl.col("ocr_confidence").mean().alias("mean_ocr_confidence"),
        )
        .sort(["documents", "customer"], descending=[True, False])
    )


def _customer_content_types(docs: pl.DataFrame) -> pl.DataFrame:
    return (
        docs.group_by("customer", "content_type")
        .agg(pl.len().cast(pl.Int64).alias("documents"))
        .sort(["customer", "documents", "content_type"], descending=[False, True, False])
    )


def _top_terms(terms: pl.DataFrame, by: tuple[str, ...] = ()) -> pl.DataFrame:
    counts = terms.group_by(*by, "term").agg(pl.col("count").sum())
    return _sorted(counts, by, ["count", "term"], [True, False])


def _customer_top_terms(terms: pl.DataFrame) -> pl.DataFrame:
    return (
        terms.group_by("customer", "term")
        .agg(pl.col("count").sum())
        .sort(["customer", "count", "term"], descending=[False, True, False])
        .group_by("customer", maintain_order=True)
        .head(CUSTOMER_TERMS_LIMIT)
    )


def _failures(docs: pl.DataFrame) -> pl.DataFrame:
    failed = (
        docs.filter(pl.col("status") == "failed")
        # Never the object key: keys carry uploaders' file names. Reasons may
        # quote content or keys, so they are sanitized here, once for every use.
        .select(
            "document_id",
            "customer",
            "content_type",
            "stage",
            pl.col("reason").map_elements(sanitize_reason, return_dtype=pl.String),
        )
        .sort(["customer", "document_id"])
    )
    # Classified once per distinct (stage, reason), not once per document.
    pairs = failed.select("stage", "reason").unique()
    keys = [classify(stage, reason).key for stage, reason in pairs.iter_rows()]
    causes = pairs.with_columns(pl.Series("cause", keys, dtype=pl.String))
    return failed.join(
        causes, on=["stage", "reason"], how="left", nulls_equal=True, maintain_order="left"
    )


def _failure_causes(failures: pl.DataFrame, by: tuple[str, ...] = ()) -> pl.DataFrame:
    order = {key: i for i, key in enumerate(CAUSES)}
    counts = (
        failures.group_by(*by, "cause")
        .agg(pl.len().cast(pl.Int64).alias("documents"))
        .with_columns(pl.col("cause").replace_strict(order, default=len(order)).alias("rank"))
    )
    return _sorted(counts, by, ["documents", "rank"], [True, False]).drop("rank")


def _needs_review(docs: pl.DataFrame) -> pl.DataFrame:
    return (
        docs.filter(pl.col("review").is_not_null())
        .select(
            "document_id",
            "customer",
            "trial_id",
            "content_type",
            pl.col("review").alias("reason"),
            "ocr_confidence",
        )
        .sort(["customer", "document_id"])
    )


def _per_trial(docs: pl.DataFrame, by: tuple[str, ...] = ()) -> pl.DataFrame:
    counts = (
        docs.with_columns(pl.col("trial_id").fill_null(NO_TRIAL))
        .group_by(*by, "trial_id")
        .agg(
            pl.len().cast(pl.Int64).alias("documents"),
            FAILED.cast(pl.Int64).alias("failed"),
            pl.col("review").is_not_null().sum().cast(pl.Int64).alias("needs_review"),
        )
    )
    return _sorted(counts, by, ["documents", "trial_id"], [True, False])


def _summary(
    week_start: date,
    docs: pl.DataFrame,
    per_content_type: pl.DataFrame,
    per_customer: pl.DataFrame,
    failures: pl.DataFrame,
) -> dict[str, Any]:
    ok = docs.filter(pl.col("status") == "ok")
    stages = (
        failures.group_by("stage")
        .agg(pl.len().alias("n"))
        .sort(["n", "stage"], descending=[True, False])
    )
    mean_ocr = docs.get_column("ocr_confidence").mean()
    return {
        "week": week_start.isoformat(),
        "documents_total": len(docs),
        "documents_ok": len(ok),
        "documents_failed": len(failures),
        "text_documents": int((ok.get_column("kind") == "text").sum()),
        "image_documents": int((ok.get_column("kind") == "image").sum()),
        "images_no_text": int(ok.get_column("no_text").fill_null(False).sum()),
        "total_bytes": int(docs.get_column("size").sum()),
        "words_total": int(ok.get_column("words").sum()),
        "mean_ocr_confidence": None if mean_ocr is None else float(mean_ocr),
        "by_content_type": _as_counts(per_content_type, "content_type", "documents"),
        "by_customer": _as_counts(per_customer, "customer", "documents"),
        "failed_by_stage": _as_counts(stages, "stage", "n"),
    }


def _as_counts(frame: pl.DataFrame, key: str, value: str) -> dict[str, int]:
    return {
        str(k): int(v) for k, v in zip(frame.get_column(key), frame.get_column(value), strict=False)
    }
