"""Counts by document type and trial, "Read today" and "Gone quiet"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.report import build_report_data, customer_report_data
from report_pipeline.report.document_types import NOT_CLASSIFIED, gone_quiet
from report_pipeline_tests.report.factories import WEEK, entry, text_ok

LABELS = {"adverse_event_report": "adverse-event report", "lab_result": "lab result"}


def typed(document_id: str, doc_type: str) -> FeatureResult:
    result = text_ok(document_id)
    result.features["document_type"] = {"type": doc_type, "label": LABELS[doc_type]}
    return result


def in_trial(document_id: str, trial: str | None, customer: str = "acme") -> ManifestEntry:
    made = entry(document_id, customer=customer)
    return replace(made, record=replace(made.record, trial_id=trial))


def test_counts_by_type_and_by_trial_with_the_unclassified_last():
    entries = [
        in_trial("d1", "T-1"),
        in_trial("d2", "T-1"),
        in_trial("d3", "T-2", "beta"),
        in_trial("d4", None),
    ]
    results = [typed("d1", "lab_result"), typed("d2", "adverse_event_report")]
    results.append(typed("d3", "lab_result"))  # d4: no result, failed
    data = build_report_data(WEEK, entries, results)

    assert data.summary["by_document_type"] == {
        "lab result": 2,
        "adverse-event report": 1,
        NOT_CLASSIFIED: 1,
    }
    assert data.summary["by_trial"] == {"T-1": 2, "T-2": 1}
    assert data.summary["read_today"] == 1
    assert data.read_today.rows() == [("d2", "acme", "T-1")]
    rows = data.trial_types.rows()
    assert ("acme", "T-1", "adverse-event report", 1) in rows
    assert ("beta", "T-2", "lab result", 1) in rows
    assert ("acme", None, NOT_CLASSIFIED, 1) in rows


def test_a_customers_report_has_its_own_types_and_adverse_events():
    entries = [in_trial("d1", "T-1"), in_trial("d2", "T-2", "beta")]
    results = [typed("d1", "lab_result"), typed("d2", "adverse_event_report")]
    week = build_report_data(WEEK, entries, results)

    beta = customer_report_data(week, "beta")
    assert beta.summary["by_document_type"] == {"adverse-event report": 1}
    assert beta.read_today.get_column("document_id").to_list() == ["d2"]
    assert customer_report_data(week, "acme").read_today.is_empty()


def earlier(*weeks: dict[str, int] | None) -> dict[date, dict]:
    """Published summaries of the weeks before WEEK, the last given being last week."""
    history = {}
    for back, counts in enumerate(reversed(weeks), start=1):
        history[WEEK - timedelta(weeks=back)] = {} if counts is None else {"by_trial": counts}
    return history


def test_a_trial_below_half_its_median_or_silent_is_gone_quiet():
    history = earlier({"T-1": 10, "T-2": 4, "T-3": 6}, {"T-1": 12, "T-2": 4, "T-3": 6})
    quiet = gone_quiet(WEEK, {"T-1": 5, "T-3": 3}, history)

    # T-2 sent nothing; T-1 sent 5 < 11 / 2; T-3 sent exactly half: not quiet.
    found = [(q.trial_id, q.documents, q.median) for q in quiet]
    assert found == [("T-2", 0, 4.0), ("T-1", 5, 11.0)]
    assert quiet[0].words() == "trial T-2 sent nothing this week"


def test_older_summaries_without_trial_counts_are_no_data_not_zero():
    # Two weeks without by_trial (published before it existed) and one with it:
    # one week of data is too little to call a trial quiet.
    assert gone_quiet(WEEK, {}, earlier(None, None, {"T-1": 9})) == []
    # With two weeks of data the older ones still do not pull the median to 0.
    quiet = gone_quiet(WEEK, {}, earlier(None, None, {"T-1": 9}, {"T-1": 9}))
    assert [(q.trial_id, q.median, q.weeks) for q in quiet] == [("T-1", 9.0, 2)]


def test_only_the_last_eight_published_weeks_count():
    # Nine weeks: the oldest (100 documents) is outside the window.
    history = earlier({"T-1": 100}, *[{"T-1": 2}] * 8)
    assert gone_quiet(WEEK, {"T-1": 1}, history) == []
    assert gone_quiet(WEEK, {"T-1": 0}, history)[0].median == 2.0


def test_a_trial_that_rarely_sends_is_not_quiet():
    history = earlier({"T-1": 5}, {}, {})  # median 0
    assert gone_quiet(WEEK, {}, history) == []


def test_gone_quiet_and_last_weeks_types_reach_the_report_data():
    entries = [in_trial("d1", "T-1")]
    history = earlier({"T-1": 1, "T-9": 4}, {"T-1": 1, "T-9": 6})
    history[WEEK - timedelta(weeks=1)]["by_document_type"] = {"lab result": 3}
    data = build_report_data(WEEK, entries, [typed("d1", "lab_result")], history)

    assert [q.trial_id for q in data.gone_quiet] == ["T-9"]
    assert data.summary["gone_quiet"] == [
        {"trial_id": "T-9", "documents": 0, "median": 5.0, "weeks": 2}
    ]
    assert data.previous_types == {"lab result": 3}
