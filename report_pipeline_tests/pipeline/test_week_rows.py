"""The streamed fold of a week (fold_week) aggregates exactly as the whole-list path."""

from __future__ import annotations

import json
import random
from dataclasses import fields, replace

import polars as pl
import pytest

from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.pipeline import week_rows
from report_pipeline.pipeline.dead_letters import dead_letters, tally_week, week_counts
from report_pipeline.pipeline.publish import data_date, dated, manifest_body
from report_pipeline.pipeline.scopes import entry_customer
from report_pipeline.pipeline.week_rows import fold_week
from report_pipeline.report import build_report_data, customer_report_data, render_report
from report_pipeline.report.aggregate import report_data_of_rows
from report_pipeline_tests.report.factories import (
    GENERATED_AT,
    WEEK,
    entry,
    failed,
    image_ok,
    synthetic_week,
    text_ok,
)

ALLOWED = ["patient", "dose", "fever", "nausea", "headache", "rash"]


def _awkward_week(n: int) -> tuple[list[ManifestEntry], list[FeatureResult]]:
    """A synthetic week plus every case the fold must order or pick the same way."""
    entries, results = synthetic_week(n)
    rng = random.Random(11)
    results = [_with_allowed_terms(result, rng) for result in results]
    entries += [
        replace(entries[5], sha256="1" * 64),  # listed twice: the first listing counts
        entry("listing-error", "acme", error="object missing"),
        entry("no-customer", "unknown"),
        replace(entry("late", "globex"), late_for="2024-02-26"),
    ]
    results += [
        failed(entries[7].record.document_id, "ocr", "retried and failed"),  # ok, then failed
        text_ok(entries[8].record.document_id, 7, [["dose", 3], ["fever", "2"]]),  # newer ok
        image_ok("late", confidence=12.5, words=0, terms=[["rash", 1], [5, 5], ["x"]]),
        text_ok("not-in-the-manifest", 3, [["dose", 99]]),
        FeatureResult("no-customer", "failed"),  # no stage, no reason given
    ]
    return entries, results


def _with_allowed_terms(result: FeatureResult, rng: random.Random) -> FeatureResult:
    if result.status != "ok":
        return result
    terms = [[rng.choice(ALLOWED), rng.randrange(1, 9)] for _ in range(3)]
    return replace(result, features={**result.features, "top_terms": terms + [["zzqx", 4]]})


def _assert_same_report_data(streamed, whole) -> None:
    for field in fields(whole):
        mine, theirs = getattr(streamed, field.name), getattr(whole, field.name)
        if field.name == "terms":  # only ever summed: compare the sums
            by = ["customer", "term"]
            mine = mine.group_by(by).agg(pl.col("count").sum()).sort(by)
            theirs = theirs.group_by(by).agg(pl.col("count").sum()).sort(by)
        if isinstance(theirs, pl.DataFrame):
            assert mine.schema == theirs.schema, field.name
            assert mine.equals(theirs), field.name
        else:
            assert mine == theirs, field.name


@pytest.mark.parametrize("chunk_rows", [7, 8192])
def test_fold_gives_the_whole_list_aggregate(monkeypatch, chunk_rows: int) -> None:
    monkeypatch.setattr(week_rows, "CHUNK_ROWS", chunk_rows)  # rows crossing chunk ends too
    monkeypatch.setattr(week_rows, "COMPACT_EVERY", 2)  # chunk sums summed again on the way
    entries, results = _awkward_week(400)
    rows = fold_week(iter(entries), lambda: iter(results), entry_customer, 55.0)
    whole = build_report_data(WEEK, entries, results, review_confidence=55.0)
    streamed = report_data_of_rows(WEEK, rows.docs, rows.terms, review_confidence=55.0)
    assert len(streamed.documents) == 400 + 3 and streamed.summary["documents_failed"] > 20
    assert streamed.summary["needs_review"] > 0 and len(streamed.top_terms) == len(ALLOWED)
    _assert_same_report_data(streamed, whole)
    if chunk_rows == 7:  # the rendered bytes too, once
        assert render_report(streamed, GENERATED_AT).pdf == render_report(whole, GENERATED_AT).pdf
    for customer in ("customer-03", "globex", "acme"):
        _assert_same_report_data(
            customer_report_data(streamed, customer), customer_report_data(whole, customer)
        )


class _Passes:
    """read_results for fold_week that counts how often the results were read."""

    def __init__(self, results: list[FeatureResult]) -> None:
        self.results, self.count = results, 0

    def __call__(self):
        self.count += 1
        return iter(self.results)


def test_a_week_whose_documents_have_one_result_each_is_read_once() -> None:
    entries, results = synthetic_week(300)
    results = [_with_allowed_terms(result, random.Random(3)) for result in results]
    results.append(text_ok("not-in-the-manifest", 3, [["dose", 99]]))  # never summed
    passes = _Passes(results)
    rows = fold_week(iter(entries), passes, entry_customer)
    assert passes.count == 1
    whole = build_report_data(WEEK, entries, results)
    _assert_same_report_data(report_data_of_rows(WEEK, rows.docs, rows.terms), whole)


def test_a_superseded_ok_result_is_summed_out_by_a_second_pass() -> None:
    entries, results = synthetic_week(50)
    document = next(r.document_id for r in results if r.status == "ok")
    newer = text_ok(document, 7, [["fever", 2]])  # replaces the document's first result
    passes = _Passes([*results, newer])
    rows = fold_week(iter(entries), passes, entry_customer)
    assert passes.count == 2
    whole = build_report_data(WEEK, entries, [*results, newer])
    _assert_same_report_data(report_data_of_rows(WEEK, rows.docs, rows.terms), whole)


def test_fold_lists_dead_letters_counts_and_documents_as_the_lists_do() -> None:
    entries, results = _awkward_week(120)
    rows = fold_week(iter(entries), lambda: iter(results), entry_customer)
    assert rows.dead_letters() == dead_letters(entries, results)
    assert rows.counts() == week_counts(entries, results)
    assert not rows.counts().adds_up  # the ok-then-failed document is in both counts
    assert tally_week(iter(entries), iter(results)) == (rows.counts(), rows.dead_letters())
    assert list(rows.listed_documents(None)) == [(e.record.document_id, e.sha256) for e in entries]
    assert "unknown" not in rows.scopes() and "globex" in rows.scopes()
    for scope in [None, *rows.scopes()]:
        own = [e for e in entries if scope is None or entry_customer(e) == scope]
        assert dated(WEEK, rows.newest.get(scope)) == data_date(WEEK, own)
        if scope is not None:
            assert [pair[0] for pair in rows.listed_documents(scope)] == [
                e.record.document_id for e in own
            ]


def test_fold_of_an_empty_week() -> None:
    rows = fold_week(iter([]), lambda: iter([]), entry_customer)
    data = report_data_of_rows(WEEK, rows.docs, rows.terms)
    assert data.summary == build_report_data(WEEK, [], []).summary
    assert rows.dead_letters() == [] and rows.scopes() == [] and rows.newest == {}


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_manifest_body_is_the_json_of_the_whole_manifest(count: int) -> None:
    head = {"week": "2024-03-04", "scope": "all", "summary": {"by_customer": {"ä": 1}}}
    documents = [(f'doc-{n}-\u00e9"q', None if n == 1 else f"{n:064x}") for n in range(count)]
    whole = {**head, "documents": [{"document_id": i, "sha256": h} for i, h in documents]}
    assert manifest_body(head, iter(documents)) == json.dumps(whole, indent=1).encode()
