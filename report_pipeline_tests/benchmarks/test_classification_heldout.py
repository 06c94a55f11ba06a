"""The held-out classification set: every type, other layouts and seed than the tuning set."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest
from faker import Faker

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def sets(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the scripts import each other by name
    import classification_heldout
    import classification_set

    yield classification_set, classification_heldout
    for name in ("classification_heldout", "classification_set"):
        sys.modules.pop(name, None)


def test_the_held_out_set_covers_every_type_and_shares_nothing_with_the_tuning_set(sets):
    tuning, held_out = sets
    docs = held_out.build_held_out(100)
    assert Counter(d.label for d in docs) == dict.fromkeys(tuning.TYPES, 10)
    assert set(held_out.TEMPLATES) == set(tuning.TYPES)
    assert not {d.layout for d in docs} & {d.layout for d in tuning.build(100)}
    tuned = {line for d in tuning.build(200) for line in d.text.splitlines()}
    lines = [line for d in docs if d.label != "other" for line in d.text.splitlines()]
    assert sum(line in tuned for line in lines) / len(lines) < 0.02  # other phrasing
    assert held_out.build_held_out(100) == docs  # the seed decides: a rerun measures the same


def test_a_template_fills_every_field_and_repeats_starred_lines(sets):
    _, held_out = sets
    c = held_out.Ctx(random.Random(1), "en", {"en": Faker("en_US")})
    text = held_out.fill("Title {date}\n* {drug} {a|b}\nEnd", c)
    lines = text.splitlines()
    assert lines[0].startswith("Title ") and lines[-1] == "End"
    assert 3 <= len(lines) - 2 <= 6 and "{" not in text
    assert all(line.split()[-1] in ("a", "b") for line in lines[1:-1])
