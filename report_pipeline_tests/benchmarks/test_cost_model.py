"""The cost model's arithmetic (benchmarks/cost_model.py) on the committed figures:
COSTS.md is what the model makes of them, and the estimate behaves like a bill."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import cost_model

ROOT = Path(__file__).resolve().parents[2]
SAVED = json.loads((ROOT / "benchmarks" / "cost_figures.json").read_text())
FIGURES = cost_model.Figures(**SAVED["figures"])
SHAPES = ("one-shot", "compose", "kubernetes")


def test_costs_md_is_the_model_of_the_committed_figures() -> None:
    estimates = [cost_model.estimate(FIGURES, mix) for mix in cost_model.MIXES]
    rendered = cost_model.render_costs_md(FIGURES, SAVED["raw"], estimates)
    assert rendered.strip() == (ROOT / "COSTS.md").read_text().strip()


@pytest.mark.parametrize("mix", cost_model.MIXES, ids=lambda mix: str(mix.documents))
def test_a_total_is_the_sum_of_its_lines(mix) -> None:
    estimate = cost_model.estimate(FIGURES, mix)
    for shape in SHAPES:
        lines = [line for line in estimate.lines if line.shape in (shape, "shared")]
        assert lines and all(line.formula for line in lines)
        assert estimate.total(shape) == pytest.approx(sum(line.monthly for line in lines))


def test_more_documents_never_cost_less() -> None:
    totals = [cost_model.estimate(FIGURES, mix) for mix in cost_model.MIXES]
    for shape in SHAPES:
        costs = [estimate.total(shape) for estimate in totals]
        assert costs == sorted(costs), shape


def test_dearer_ocr_raises_only_what_scales_with_it() -> None:
    mix = cost_model.MIXES[-1]
    base = cost_model.estimate(FIGURES, mix)
    dearer = cost_model.estimate(
        replace(FIGURES, scanned_page_cpu=FIGURES.scanned_page_cpu * 2), mix
    )
    assert dearer.parts["scanned pages"] == pytest.approx(2 * base.parts["scanned pages"])
    assert dearer.parts["notes"] == base.parts["notes"]
    assert dearer.total("one-shot") > base.total("one-shot")
