"""The week's features stream to the store; the report reads only what it uses, same report."""

from __future__ import annotations

import dataclasses

import polars as pl

from report_pipeline.pipeline.features import read_week_features, write_week_features
from report_pipeline.report.aggregate import REPORT_FEATURES, build_report_data
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.report.factories import WEEK, synthetic_week


def _typed(results):
    for number, result in enumerate(results):
        if result.status == "ok" and number % 4 == 0:
            result.features["document_type"] = {
                "type": "lab",
                "label": "Lab report",
                "version": "1",
            }
    return results


def test_the_report_of_the_slim_features_is_the_report_of_the_full_ones(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    entries, results = synthetic_week(400)
    results = _typed(results)
    write_week_features(store, WEEK, iter(results))
    assert read_week_features(store, WEEK) == results
    slim = read_week_features(store, WEEK, keep=REPORT_FEATURES)
    assert all(set(r.features) <= set(REPORT_FEATURES) for r in slim)
    assert any("excerpt" in r.features or "ocr_text" in r.features for r in results)
    full, kept = build_report_data(WEEK, entries, results), build_report_data(WEEK, entries, slim)
    for field in dataclasses.fields(full):
        ours, theirs = getattr(full, field.name), getattr(kept, field.name)
        if isinstance(ours, pl.DataFrame):
            assert ours.equals(theirs), field.name
        else:
            assert ours == theirs, field.name
