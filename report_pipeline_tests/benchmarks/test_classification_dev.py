"""The development set of the classification benchmark is a fair stand-in for unseen
documents: it covers every default type and shares no layout with the tuning set."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import classification_dev as dev  # noqa: E402
import classification_set as tuning  # noqa: E402

from report_pipeline.classify import load_taxonomy  # noqa: E402


def test_it_covers_every_default_type_with_several_layouts() -> None:
    docs = dev.build_dev(60)
    assert {d.label for d in docs} == set(load_taxonomy().keys) == set(tuning.TYPES)
    for key, layouts in dev.DEV_LAYOUTS.items():
        assert len(layouts) >= 3, key


def test_it_shares_no_layout_with_the_tuning_set() -> None:
    dev_layouts = {f.__name__ for layouts in dev.DEV_LAYOUTS.values() for f in layouts}
    tuning_layouts = {d.layout for d in tuning.build(20)} | set(tuning.LAYOUTS)
    assert dev_layouts
    assert not dev_layouts & tuning_layouts


def test_it_is_reproducible_from_its_seed_and_differs_from_the_tuning_set() -> None:
    first, again = dev.build_dev(40), dev.build_dev(40)
    assert [d.text for d in first] == [d.text for d in again]
    assert dev.DEV_SEED != 27
    tuning_texts = {d.text for d in tuning.build(40)}
    assert not tuning_texts & {d.text for d in first}


def test_english_only_layouts_stay_english() -> None:
    for doc in dev.build_dev(200):
        layout = getattr(dev, doc.layout, None)
        if layout in dev.LANGUAGES:
            assert doc.language in dev.LANGUAGES[layout], doc.layout
