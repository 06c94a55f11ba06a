import json
import random
from dataclasses import fields, replace
from datetime import date, datetime, timedelta, timezone

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from report_pipeline.report.aggregate import ReportData, build_report_data, customer_report_data
from report_pipeline_tests.report.factories import (
    MONDAY_NOON,
    WEEK,
    entry,
    failed,
    image_ok,
    synthetic_week,
    text_ok,
)

SUMMARY_KEYS = {
    "week",
    "documents_total",
    "documents_ok",
    "documents_failed",
    "text_documents",
    "image_documents",
    "images_no_text",
    "total_bytes",
    "words_total",
    "mean_ocr_confidence",
    "by_content_type",
    "by_customer",
    "failed_by_stage",
    "needs_review",
    "review_confidence",
    "failed_share",
    "by_document_type",
    "by_trial",
    "read_today",
    "gone_quiet",
}


def test_summary_counts_add_up_and_are_json_friendly():
    entries, results = synthetic_week(500)
    summary = build_report_data(WEEK, entries, results).summary

    assert set(summary) == SUMMARY_KEYS
    assert summary["week"] == "2024-03-04"
    assert summary["documents_total"] == 500
    assert summary["documents_ok"] + summary["documents_failed"] == 500
    assert summary["text_documents"] + summary["image_documents"] == summary["documents_ok"]
    assert sum(summary["by_customer"].values()) == 500
    assert sum(summary["by_content_type"].values()) == 500
    assert sum(summary["failed_by_stage"].values()) == summary["documents_failed"]
    assert json.loads(json.dumps(summary)) == summary


def test_document_without_result_is_failed_at_features_stage():
    data = build_report_data(WEEK, [entry("a"), entry("b")], [text_ok("a")])

    assert data.summary["documents_failed"] == 1
    assert data.summary["failed_by_stage"] == {"features": 1}
    assert data.failures.to_dicts() == [
        {
            "document_id": "b",
            "customer": "acme",
            "content_type": "text/plain",
            "stage": "features",
            "reason": "no result",
            "cause": "not-finished",
        }
    ]


def test_missing_result_keeps_the_listing_error_in_the_reason():
    data = build_report_data(WEEK, [entry("a", error="AccessDenied")], [])

    assert data.failures.row(0, named=True)["stage"] == "features"
    assert "AccessDenied" in data.failures.row(0, named=True)["reason"]


def test_failed_result_keeps_stage_and_reason_and_fills_blanks():
    results = [failed("a", "ocr", "tesseract exited 1"), failed("b", None, None)]
    data = build_report_data(WEEK, [entry("a"), entry("b")], results)

    rows = {r["document_id"]: r for r in data.failures.to_dicts()}
    # Numbers never reach a report (they may be ids); the words of the reason do.
    assert (rows["a"]["stage"], rows["a"]["reason"]) == ("ocr", "tesseract exited [redacted]")
    assert (rows["b"]["stage"], rows["b"]["reason"]) == ("unknown", "no reason given")


def test_per_day_covers_seven_days_with_zeros_in_utc():
    late_sunday_in_new_york = datetime(2024, 3, 10, 19, 0, tzinfo=timezone(timedelta(hours=-5)))
    entries = [entry("a"), entry("b"), entry("c", created_at=late_sunday_in_new_york)]
    data = build_report_data(WEEK, entries, [])

    days = data.per_day.get_column("day").to_list()
    assert days == [WEEK + timedelta(days=i) for i in range(7)]
    assert data.per_day.get_column("documents").to_list() == [2, 0, 0, 0, 0, 0, 0]
    assert data.per_day.get_column("failed").to_list() == [2, 0, 0, 0, 0, 0, 0]
    assert data.outside_week == 1  # 00:00 UTC Monday after the week


def test_document_outside_the_week_still_counts_in_totals():
    entries = [entry("a"), entry("b", created_at=MONDAY_NOON - timedelta(days=1))]
    data = build_report_data(WEEK, entries, [text_ok("a"), text_ok("b")])

    assert data.summary["documents_total"] == 2
    assert data.per_day.get_column("documents").sum() == 1
    assert data.outside_week == 1


def test_mean_ocr_confidence_ignores_missing_values():
    entries = [entry(x, content_type="image/png") for x in "abcd"]
    results = [
        image_ok("a", 80.0),
        image_ok("b", None),
        image_ok("c", 60.0),
        image_ok("d", float("nan")),
    ]
    data = build_report_data(WEEK, entries, results)

    assert data.summary["mean_ocr_confidence"] == pytest.approx(70.0)
    assert sorted(data.ocr_confidences) == [60.0, 80.0]
    assert data.per_customer.row(0, named=True)["mean_ocr_confidence"] == pytest.approx(70.0)


def test_mean_ocr_confidence_is_none_without_images():
    data = build_report_data(WEEK, [entry("a")], [text_ok("a")])

    assert data.summary["mean_ocr_confidence"] is None
    assert data.ocr_confidences == []


def test_words_bytes_and_kinds_come_from_processed_documents():
    entries = [
        entry("t", size=10),
        entry("i", content_type="image/png", size=20),
        entry("f", size=30),
    ]
    results = [text_ok("t", words=7), image_ok("i", words=5), failed("f")]
    summary = build_report_data(WEEK, entries, results).summary

    assert summary["words_total"] == 12
    assert summary["total_bytes"] == 60
    assert (summary["text_documents"], summary["image_documents"]) == (1, 1)
    assert summary["by_content_type"] == {"text/plain": 2, "image/png": 1}


def test_per_customer_figures():
    entries = [entry("a", "north"), entry("b", "north"), entry("c", "south")]
    results = [text_ok("a", 4), failed("b"), text_ok("c", 9)]
    data = build_report_data(WEEK, entries, results)

    rows = data.per_customer.select("customer", "documents", "ok", "failed", "words").rows()
    assert rows == [("north", 2, 1, 1, 4), ("south", 1, 1, 0, 9)]
    assert data.summary["by_customer"] == {"north": 2, "south": 1}


def test_top_terms_are_summed_overall_and_per_customer():
    entries = [entry("a", "north"), entry("b", "north"), entry("c", "south"), entry("d", "south")]
    results = [
        text_ok("a", terms=[["trial", 3], ["dose", 1]]),
        text_ok("b", terms=[["trial", 2]]),
        image_ok("c", terms=[["dose", 4], ["bad"], "junk", ["n", "x"]]),
        failed("d"),
    ]
    data = build_report_data(WEEK, entries, results)

    assert data.top_terms.rows() == [("dose", 5), ("trial", 5)]  # ties by name
    per_customer = {(c, t): n for c, t, n in data.customer_top_terms.rows()}
    assert per_customer == {("north", "trial"): 5, ("north", "dose"): 1, ("south", "dose"): 4}


def test_duplicate_entries_and_stray_results_are_not_double_counted():
    entries = [entry("a"), entry("a")]
    results = [failed("a"), text_ok("a"), text_ok("not-in-manifest")]
    summary = build_report_data(WEEK, entries, results).summary

    assert summary["documents_total"] == 1
    assert summary["documents_ok"] == 1  # the later result for a document wins


def test_empty_week():
    data = build_report_data(WEEK, [], [])

    assert data.summary["documents_total"] == 0
    assert data.summary["by_customer"] == {}
    assert data.per_day.height == 7
    assert data.failures.is_empty()


def test_week_start_must_be_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        build_report_data(date(2024, 3, 5), [], [])


def test_images_with_no_text_found_are_counted():
    entries = [entry(x, content_type="image/png") for x in "abc"]
    blank = image_ok("b", None, words=0)
    blank.features["no_text_found"] = True
    data = build_report_data(WEEK, entries, [image_ok("a"), blank, failed("c")])

    assert data.summary["images_no_text"] == 1
    assert data.summary["image_documents"] == 2


def _mixed_customers_week():
    """Three customers that differ in what they have: terms, failures, reviews, trials."""
    vocabulary = ["dosage", "abdomen", "abandon", "aback", "abbot"]
    rng = random.Random(7)
    entries, results = [], []
    for number in range(120):
        customer = ("acme", "globex", "initech")[number % 3]
        doc = f"{customer}-{number:03d}"
        is_image = customer == "acme" and number % 2 == 0
        created = MONDAY_NOON + timedelta(hours=rng.randrange(-20, 7 * 24))
        item = entry(doc, customer, "image/png" if is_image else "text/plain", created, number)
        trial = rng.choice([None, f"{customer}-t1", f"{customer}-t2"])
        entries.append(replace(item, record=replace(item.record, trial_id=trial)))
        if customer == "initech":  # no terms at all, a third of it failed
            results.append(failed(doc, "read", "gone") if number % 9 == 2 else text_ok(doc))
        elif customer == "globex":  # terms, never a failure
            terms = [[rng.choice(vocabulary), rng.randrange(1, 9)] for _ in range(3)]
            results.append(text_ok(doc, rng.randrange(1, 300), terms))
        elif is_image:  # images: low confidence and photos without text need review
            results.append(image_ok(doc, rng.choice([None, 20.0, 95.0]), rng.randrange(0, 40)))
        elif number % 5:
            results.append(text_ok(doc, 12, [["dosage", 2]]))
        else:
            results.append(failed(doc, rng.choice(["decode", "ocr"]), f"err {number}"))
    return entries, results


@pytest.mark.parametrize("customer", ["acme", "globex", "initech", "nobody"])
def test_a_customers_slice_of_the_week_equals_its_own_aggregation(customer):
    """customer_report_data slices tables grouped once by customer; the slice must be
    exactly what aggregating that customer's documents alone gives."""
    entries, results = _mixed_customers_week()
    week = build_report_data(WEEK, entries, results)
    own = [e for e in entries if e.record.customer_id == customer]
    own_results = [r for r in results if r.document_id.startswith(f"{customer}-")]
    history = {WEEK - timedelta(weeks=1): {"documents_total": 3, "documents_failed": 1}}
    alone = build_report_data(WEEK, own, own_results, history, customer=customer)
    sliced = customer_report_data(week, customer, history)
    for field in fields(ReportData):
        mine, theirs = getattr(sliced, field.name), getattr(alone, field.name)
        if isinstance(mine, pl.DataFrame):
            assert_frame_equal(mine, theirs, check_exact=True)
        else:
            assert mine == theirs, field.name
    assert len(sliced.documents) == len(own)
    if customer == "acme":  # the slices compared are not empty ones
        assert len(sliced.failures) and len(sliced.needs_review) and len(sliced.top_terms)
