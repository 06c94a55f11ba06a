"""Three published weeks in a row: the third report says Read today and Gone quiet.

Each week's summary stores its counts per trial and per type; the third week
compares with the two before it, read back from the store as published.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from report_pipeline.classify.rules import classify_text
from report_pipeline.pipeline.publish import publish_report
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.report.factories import MONDAY_NOON, WEEK, text_ok
from report_pipeline_tests.report.test_document_types import in_trial

WEEKS = [WEEK + timedelta(weeks=n) for n in range(3)]
LAB = "Laboratory report. Specimen collected 08:00. Hemoglobin 13.2 g/dL, reference range 12-16."
AE = "Serious adverse event report (MedWatch). Date of onset, seriousness criteria, causality."


def _document(doc: str, trial: str, text: str, created: datetime):
    made = in_trial(doc, trial)
    made = replace(made, record=replace(made.record, created_at=created))
    result = text_ok(doc)
    result.features["document_type"] = classify_text(text)
    return made, result


def _week(number: int):
    created = MONDAY_NOON + timedelta(weeks=number)
    docs = [_document(f"w{number}-lab-{i}", "T-1", LAB, created) for i in range(3)]
    if number < 2:  # T-014 sends four a week, then nothing
        docs += [_document(f"w{number}-t014-{i}", "T-014", LAB, created) for i in range(4)]
    else:
        docs.append(_document("w2-ae-1", "T-1", AE, created))
    return [d for d, _ in docs], [r for _, r in docs]


def _published(tmp_path):
    store = LocalObjectStore(tmp_path)
    texts = []
    for number, week in enumerate(WEEKS):
        entries, results = _week(number)
        generated = datetime.combine(week + timedelta(days=7), datetime.min.time(), UTC)
        report = publish_report(store, week, entries, results, generated)
        pages = PdfReader(io.BytesIO(store.get(report.pdf_key))).pages
        texts.append([page.extract_text() for page in pages])
    return texts


def test_the_third_week_lists_read_today_and_gone_quiet(tmp_path):
    first, second, third = _published(tmp_path)
    cover, types = third[0], third[1]

    attention = cover[cover.index("What needs attention") :]
    assert attention.index("Read today: 1 adverse-event report(s): w2-ae-1") < attention.index(
        "Gone quiet: trial T-014 sent nothing this week"
    )
    assert "T-014 0 4 2" in types  # this week, median, weeks compared
    assert "adverse-event report 1 0 ▲ 1" in types
    assert "lab result 3 7 ▼ 4" in types
    # The first two weeks have too little history, and nobody went quiet in them.
    for week in (first, second):
        assert "Gone quiet:" not in week[0] and "No trial went quiet this week." in week[1]
    assert "Last week's report has no counts by type" in first[1]
