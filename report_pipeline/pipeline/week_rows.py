"""A week's manifest and features folded into compact columns as they stream past.

The report step reads the week's two files an item a line; nothing holds every
document's entry or result as Python objects. Each item becomes a row of a
chunk of columns, chunks become polars frames (a few bytes a value instead of
a few hundred an object), and the rows the report aggregates are a join of the
two: the same rows, in the same manifest order, as ``build_report_data`` makes
of the two lists, so the same week renders the same bytes.

Terms are summed per customer as they stream (the manifest, folded first, says
whose a document is): a week's million (term, count) pairs are never held. Only
when an ok result is superseded by a later one for the same document (a week
where that happens is rare) are the results read a second time, summing only
each document's last result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.pipeline.dead_letters import DeadLetter, WeekCounts
from report_pipeline.report.aggregate import (
    DEFAULT_REVIEW_CONFIDENCE,
    DOC_SCHEMA,
    RESULT_COLUMNS,
    TERM_SCHEMA,
    allowed_terms,
    entry_columns,
    result_columns,
    term_pairs,
    term_series,
)

CHUNK_ROWS = 8192  # rows held as Python values before they become a frame

# What a manifest line adds beyond its report row: the report manifest lists
# (document_id, sha256) of every line, a dead letter names the object key.
LISTED_SCHEMA: dict[str, Any] = {
    "document_id": pl.String,
    "sha256": pl.String,
    "scope": pl.String,  # the entry's customer report, None: the `all` report only
}
# Result columns an entry alone leaves null; its status, stage and reason say "no result".
_RESULT_ONLY = frozenset(RESULT_COLUMNS) - {"status", "stage", "reason"}
ENTRY_SCHEMA: dict[str, Any] = {
    **{name: DOC_SCHEMA[name] for name in DOC_SCHEMA if name not in _RESULT_ONLY},
    "object_key": pl.String,
}
# A result's report columns, with what its dead letter says (raw, unlike the row's).
RESULT_SCHEMA: dict[str, Any] = {
    "seq": pl.UInt32,  # the result's position in the features file: later ones win
    "document_id": pl.String,
    **{name: DOC_SCHEMA[name] for name in RESULT_COLUMNS},
    "letter_stage": pl.String,
    "error_class": pl.String,
    "letter_message": pl.String,
    "attempts": pl.Int64,
}
COMPACT_EVERY = 32  # chunk sums kept before they are summed into one frame


class _Chunks:
    """Rows appended one at a time, kept as polars frames of CHUNK_ROWS rows."""

    def __init__(self, schema: dict[str, Any], finish: Callable[[pl.DataFrame], pl.DataFrame]):
        self.schema, self.finish = schema, finish
        self.columns: dict[str, list[Any]] = {name: [] for name in schema}
        self.frames: list[pl.DataFrame] = []
        self.rows = 0

    def append(self, row: dict[str, Any]) -> None:
        for name, values in self.columns.items():
            values.append(row[name])
        self.rows += 1
        if self.rows == CHUNK_ROWS:
            self._flush()

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self.frames:
            return pl.DataFrame(schema=self.schema)
        return pl.concat(self.frames, rechunk=True)

    def _flush(self) -> None:
        if self.rows:
            self.frames.append(self.finish(self._chunk()))
            self.columns = {name: [] for name in self.schema}
            self.rows = 0

    def _chunk(self) -> pl.DataFrame:
        return pl.DataFrame(self.columns, schema=self.schema)


class _TermSums(_Chunks):
    """(customer, term, count) rows summed a chunk at a time: the frames hold one row
    per customer and term, however many documents named it."""

    def __init__(self) -> None:
        super().__init__(TERM_SCHEMA, lambda frame: _summed(allowed_terms(frame)))

    def add(self, customer: str | None, features: dict[str, Any]) -> None:
        for term, count in term_pairs(features):
            self.append({"customer": customer, "term": term, "count": count})

    def frame(self) -> pl.DataFrame:
        return _summed(super().frame()).select(list(TERM_SCHEMA)).cast(TERM_SCHEMA)

    def _flush(self) -> None:
        super()._flush()
        if len(self.frames) >= COMPACT_EVERY:
            self.frames = [_summed(pl.concat(self.frames))]

    def _chunk(self) -> pl.DataFrame:
        # Terms convert as the whole-list path converts them (term_series), per chunk.
        customers = pl.Series("customer", self.columns["customer"], dtype=pl.String)
        return pl.DataFrame([customers, *term_series(self.columns["term"], self.columns["count"])])


def _summed(terms: pl.DataFrame) -> pl.DataFrame:
    return terms.group_by("customer", "term").agg(pl.col("count").sum())


@dataclass(frozen=True)
class WeekRows:
    """One week as the report reads it, all scopes: rows, terms, listings, dead letters."""

    docs: pl.DataFrame  # DOC_SCHEMA: one row per document (first listing wins), manifest order
    terms: pl.DataFrame  # TERM_SCHEMA: summed per (customer, term)
    listed: pl.DataFrame  # LISTED_SCHEMA: every manifest line, duplicates included, in order
    newest: dict[str | None, datetime]  # newest created_at (UTC) per scope, None: `all`
    letters: pl.DataFrame  # the failed documents' dead letters, manifest order
    with_features: int  # listed documents with an ok result (any of their results)

    def counts(self) -> WeekCounts:
        return WeekCounts(len(self.docs), self.with_features, len(self.letters))

    def dead_letters(self) -> list[DeadLetter]:
        """As dead_letters() of the two lists."""
        return [DeadLetter(*row) for row in self.letters.iter_rows()]

    def scopes(self) -> list[str]:
        """The customers with a report of their own this week, sorted."""
        return sorted(self.listed.get_column("scope").drop_nulls().unique().to_list())

    def listed_documents(self, scope: str | None) -> Iterator[tuple[str, str | None]]:
        """The report manifest's (document_id, sha256) of ``scope`` (None: every line)."""
        listed = self.listed if scope is None else self.listed.filter(pl.col("scope") == scope)
        return listed.select("document_id", "sha256").iter_rows()


def fold_week(
    entries: Iterable[ManifestEntry],
    read_results: Callable[[], Iterable[FeatureResult]],
    scope_of: Callable[[ManifestEntry], str | None],
    review_confidence: float = DEFAULT_REVIEW_CONFIDENCE,
) -> WeekRows:
    """The week's rows from its entries and results, each streamed past once (the
    results twice in a week with a superseded ok result: see the module's docstring).

    Same rules as the whole-list path: a document listed twice is one document
    (its first entry); of a document's results the last one counts. ``read_results``
    starts a new pass over the results. ``scope_of``: the customer report an entry
    belongs to, None when only the `all` report.
    """
    listed, entry_rows, newest, customer_of = _fold_entries(entries, scope_of)
    result_rows, terms = _fold_results(read_results(), customer_of, review_confidence)
    docs = _docs(entry_rows, result_rows)
    counted = docs.filter(pl.col("status") == "ok").get_column("seq")
    if len(counted) < _listed_ok(entry_rows, result_rows):
        # A listed document's ok result was superseded by a later result, and its terms
        # are in the sums: sum again, counting only each document's last result.
        terms = _sum_terms(read_results(), customer_of, set(counted.to_list()))
    return WeekRows(
        docs=docs.select(list(DOC_SCHEMA)).cast(DOC_SCHEMA),
        terms=terms,
        listed=listed,
        newest=newest,
        letters=_letters(docs.filter(pl.col("status") != "ok")),
        with_features=_with_features(entry_rows, result_rows),
    )


def _fold_entries(
    entries: Iterable[ManifestEntry], scope_of: Callable[[ManifestEntry], str | None]
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str | None, datetime], dict[str, str | None]]:
    listed = _Chunks(LISTED_SCHEMA, lambda frame: frame)
    rows = _Chunks(ENTRY_SCHEMA, lambda frame: frame)
    newest: dict[str | None, datetime] = {}
    customer_of: dict[str, str | None] = {}  # the document's customer, of its first listing
    for entry in entries:
        record, scope = entry.record, scope_of(entry)
        listed.append({"document_id": record.document_id, "sha256": entry.sha256, "scope": scope})
        row = entry_columns(entry)
        row["object_key"] = record.file_location
        rows.append(row)
        customer = row["customer"]
        customer_of.setdefault(record.document_id, customer and sys.intern(customer))
        if record.created_at:
            moment = _utc(record.created_at)
            for key in {None, scope}:
                if key not in newest or moment > newest[key]:
                    newest[key] = moment
    unique = rows.frame().unique(subset="document_id", keep="first", maintain_order=True)
    return listed.frame(), unique, newest, customer_of


def _fold_results(
    results: Iterable[FeatureResult],
    customer_of: dict[str, str | None],
    review_confidence: float,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The results' rows, and the terms of every listed document's ok results."""
    rows = _Chunks(RESULT_SCHEMA, lambda frame: frame)
    terms = _TermSums()
    for seq, result in enumerate(results):
        row = result_columns(result, review_confidence)
        row.update(
            seq=seq,
            document_id=result.document_id,
            letter_stage=result.stage or "features",
            error_class=result.error_class or "DocumentError",
            letter_message=result.reason or "unknown error",
            attempts=result.attempts,
        )
        rows.append(row)
        if result.status == "ok" and result.document_id in customer_of:
            terms.add(customer_of[result.document_id], result.features or {})
    return rows.frame(), terms.frame()


def _sum_terms(
    results: Iterable[FeatureResult], customer_of: dict[str, str | None], counted: set[int]
) -> pl.DataFrame:
    """The terms of the results at the ``counted`` positions, summed per customer."""
    terms = _TermSums()
    for seq, result in enumerate(results):
        if seq in counted:
            terms.add(customer_of[result.document_id], result.features or {})
    return terms.frame()


def _docs(entry_rows: pl.DataFrame, result_rows: pl.DataFrame) -> pl.DataFrame:
    """Each listed document's row with its last result's columns (seq: null, none)."""
    last = result_rows.unique(subset="document_id", keep="last")
    joined = entry_rows.join(
        last, on="document_id", how="left", maintain_order="left", suffix="_result"
    )
    found = pl.col("seq").is_not_null()
    return joined.with_columns(
        pl.when(found).then(pl.col("status_result")).otherwise(pl.col("status")).alias("status"),
        pl.when(found).then(pl.col("stage_result")).otherwise(pl.col("stage")).alias("stage"),
        pl.when(found).then(pl.col("reason_result")).otherwise(pl.col("reason")).alias("reason"),
    )


def _listed_ok(entry_rows: pl.DataFrame, result_rows: pl.DataFrame) -> int:
    """How many ok results name a listed document (the results _fold_results summed)."""
    ok = result_rows.filter(pl.col("status") == "ok")
    return ok.join(entry_rows, on="document_id", how="semi").height


def _with_features(entry_rows: pl.DataFrame, result_rows: pl.DataFrame) -> int:
    # A document's earlier ok result counts as features even when a later one failed.
    ever_ok = result_rows.filter(pl.col("status") == "ok").select("document_id").unique()
    return entry_rows.join(ever_ok, on="document_id", how="semi").height


def _letters(failed: pl.DataFrame) -> pl.DataFrame:
    """DeadLetter fields; a document without any result is a MissingResult (attempts 0)."""
    found = pl.col("seq").is_not_null()
    return failed.select(
        "document_id",
        "object_key",
        pl.when(found).then(pl.col("letter_stage")).otherwise(pl.lit("features")).alias("stage"),
        pl.when(found)
        .then(pl.col("error_class"))
        .otherwise(pl.lit("MissingResult"))
        .alias("error_class"),
        pl.when(found)
        .then(pl.col("letter_message"))
        .otherwise(pl.lit("no feature result was recorded for this document"))
        .alias("message"),
        pl.when(found).then(pl.col("attempts")).otherwise(pl.lit(0)).alias("attempts"),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
