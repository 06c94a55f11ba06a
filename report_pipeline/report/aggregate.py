"""Turn one week's manifest and feature results into report-ready tables.

Only the conversion from Python objects to columns walks the documents one by
one; every count, sum and mean is computed by polars.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import polars as pl

from report_pipeline.deid import sanitize_reason, vocabulary
from report_pipeline.models import FeatureResult, ManifestEntry

MISSING_STAGE = "features"
MISSING_REASON = "no result"
UNKNOWN_STAGE = "unknown"
UNKNOWN_REASON = "no reason given"
CUSTOMER_TERMS_LIMIT = 10

DOC_SCHEMA: dict[str, Any] = {
    "document_id": pl.String,
    "customer": pl.String,
    "content_type": pl.String,
    "day": pl.Date,
    "size": pl.Int64,
    "status": pl.String,
    "kind": pl.String,
    "stage": pl.String,
    "reason": pl.String,
    "words": pl.Int64,
    "ocr_confidence": pl.Float64,
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
    failures: pl.DataFrame  # document_id, customer, content_type, stage, reason (sanitized)
    outside_week: int  # documents whose created_at is not in the week (not in per_day)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def build_report_data(
    week_start: date, entries: list[ManifestEntry], results: list[FeatureResult]
) -> ReportData:
    """Aggregate one week. Every entry is counted once, ok or failed."""
    if week_start.weekday() != 0:
        # A shifted week would silently move documents between days and weeks.
        raise ValueError(f"week_start must be a Monday, got {week_start.isoformat()}")
    doc_cols, term_cols = _collect_columns(entries, results)
    docs = pl.DataFrame(doc_cols, schema=DOC_SCHEMA)
    terms = _term_frame(term_cols)
    per_day = _per_day(docs, week_start)
    per_customer = _per_customer(docs)
    per_content_type = _per_content_type(docs)
    failures = _failures(docs)
    ocr = docs.get_column("ocr_confidence").drop_nulls().to_list()
    return ReportData(
        week_start=week_start,
        summary=_summary(week_start, docs, per_content_type, per_customer, failures),
        documents=docs,
        per_day=per_day,
        per_content_type=per_content_type,
        per_customer=per_customer,
        customer_content_types=_customer_content_types(docs),
        ocr_confidences=ocr,
        top_terms=_top_terms(terms),
        customer_top_terms=_customer_top_terms(terms),
        failures=failures,
        outside_week=len(docs) - int(per_day.get_column("documents").sum()),
    )


def _collect_columns(
    entries: list[ManifestEntry], results: list[FeatureResult]
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
        row = _document_row(entry, by_id.get(record.document_id))
        for name, value in row.items():
            docs[name].append(value)
        if row["status"] == "ok":
            _append_terms(terms, row["customer"], by_id[record.document_id].features)
    return docs, terms


def _document_row(entry: ManifestEntry, result: FeatureResult | None) -> dict[str, Any]:
    record = entry.record
    row: dict[str, Any] = {
        "document_id": record.document_id,
        "customer": record.customer_id,
        "content_type": record.content_type or "unknown",
        "day": _utc_day(record.created_at),
        "size": int(record.size or 0),
        "status": "failed",
        "kind": None,
        "stage": MISSING_STAGE,
        "reason": _missing_reason(entry),
        "words": None,
        "ocr_confidence": None,
    }
    if result is None:
        return row
    row["kind"] = result.kind
    if result.status != "ok":
        row["stage"] = result.stage or UNKNOWN_STAGE
        row["reason"] = result.reason or UNKNOWN_REASON
        return row
    features = result.features or {}
    row.update(status="ok", stage=None, reason=None)
    row["words"] = _as_int(features.get("words" if result.kind == "text" else "word_count"))
    if result.kind in ("image", "pdf"):  # a PDF's confidence covers its OCR'd pages
        row["ocr_confidence"] = _as_float(features.get("ocr_confidence"))
    return row


def _missing_reason(entry: ManifestEntry) -> str:
    # The listing error, when there is one, is what an operator needs to act on.
    if entry.error:
        return f"{MISSING_REASON} (listing error: {entry.error})"
    return MISSING_REASON


def _append_terms(terms: dict[str, list[Any]], customer: str, features: dict[str, Any]) -> None:
    # Only the shape is checked here; polars coerces the values in bulk (_term_frame).
    for pair in features.get("top_terms") or []:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            terms["customer"].append(customer)
            terms["term"].append(pair[0])
            terms["count"].append(pair[1])


def _term_frame(terms: dict[str, list[Any]]) -> pl.DataFrame:
    """Terms as (customer, term, count); entries whose values do not convert are dropped.

    Only terms of the de-identification allow-list are kept: cached features
    computed before the filter existed still carry raw terms (names, ids).
    """
    frame = pl.DataFrame({
        "customer": pl.Series(terms["customer"], dtype=pl.String),
        "term": pl.Series(terms["term"], dtype=pl.String, strict=False),
        "count": pl.Series(terms["count"], dtype=pl.Int64, strict=False),
    })
    allowed = pl.col("term").str.to_lowercase().is_in(_allowed_terms())
    return frame.filter(allowed).drop_nulls("count")


@functools.lru_cache(maxsize=1)
def _allowed_terms() -> pl.Series:
    # Built once: the allow-list as a column, for a vectorised is_in.
    return pl.Series(sorted(vocabulary()), dtype=pl.String)


def _utc_day(moment: datetime) -> date:
    # Naive timestamps are taken as UTC, the catalog's convention (see to_json).
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
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


def _per_day(docs: pl.DataFrame, week_start: date) -> pl.DataFrame:
    days = pl.DataFrame(
        {"day": [week_start + timedelta(days=i) for i in range(7)]}, schema={"day": pl.Date}
    )
    counts = docs.group_by("day").agg(pl.len().alias("documents"), FAILED.alias("failed"))
    return (
        days.join(counts, on="day", how="left")
        .with_columns(pl.col("documents", "failed").fill_null(0).cast(pl.Int64))
        .sort("day")
    )


def _per_content_type(docs: pl.DataFrame) -> pl.DataFrame:
    return (
        docs.group_by("content_type")
        .agg(pl.len().cast(pl.Int64).alias("documents"), FAILED.cast(pl.Int64).alias("failed"))
        .sort(["documents", "content_type"], descending=[True, False])
    )


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


def _top_terms(terms: pl.DataFrame) -> pl.DataFrame:
    return (
        terms.group_by("term")
        .agg(pl.col("count").sum())
        .sort(["count", "term"], descending=[True, False])
    )


def _customer_top_terms(terms: pl.DataFrame) -> pl.DataFrame:
    return (
        terms.group_by("customer", "term")
        .agg(pl.col("count").sum())
        .sort(["customer", "count", "term"], descending=[False, True, False])
        .group_by("customer", maintain_order=True)
        .head(CUSTOMER_TERMS_LIMIT)
    )


def _failures(docs: pl.DataFrame) -> pl.DataFrame:
    return (
        docs.filter(pl.col("status") == "failed")
        # Never the object key: keys carry uploaders' file names. Reasons may
        # quote content or keys, so they are sanitized here, once for every use.
        .select("document_id", "customer", "content_type", "stage",
                pl.col("reason").map_elements(sanitize_reason, return_dtype=pl.String))
        .sort(["customer", "document_id"])
    )


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
        "total_bytes": int(docs.get_column("size").sum()),
        "words_total": int(ok.get_column("words").sum()),
        "mean_ocr_confidence": None if mean_ocr is None else float(mean_ocr),
        "by_content_type": _as_counts(per_content_type, "content_type", "documents"),
        "by_customer": _as_counts(per_customer, "customer", "documents"),
        "failed_by_stage": _as_counts(stages, "stage", "n"),
    }


def _as_counts(frame: pl.DataFrame, key: str, value: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in zip(frame.get_column(key), frame.get_column(value))}
