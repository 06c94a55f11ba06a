"""docs/configuration.md is the generated text, and lists exactly the variables the code reads."""

from __future__ import annotations

import re

from report_pipeline.settings_catalog import VARIABLES
from report_pipeline.tooling.config_docs import PAGE, configuration_markdown, variables_read


def test_the_configuration_page_is_the_generated_text() -> None:
    assert PAGE.read_text() == configuration_markdown(), "docs/configuration.md is stale: make docs"


def test_the_page_lists_exactly_the_variables_the_code_reads() -> None:
    listed = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", PAGE.read_text(), re.MULTILINE))
    read = variables_read()
    assert read - listed == set(), "read by the code but not on docs/configuration.md"
    assert listed - read == set(), "on docs/configuration.md but no longer read by the code"
    assert set(VARIABLES) == read


def test_the_scan_finds_every_way_of_reading_the_environment(tmp_path) -> None:
    (tmp_path / "m.py").write_text(
        "import os\n"
        'a = read.integer("A_ONE", 1)\n'
        'b = os.environ.get("B_TWO")\n'
        'c = os.environ["C_THREE"]\n'
        'd = os.getenv("D_FOUR")\n'
        'e = other.get("NOT_ENV")\n'
    )
    assert variables_read(tmp_path) == {"A_ONE", "B_TWO", "C_THREE", "D_FOUR"}
