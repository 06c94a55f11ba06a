"""The layering docs/architecture.md promises, checked on the real import graph."""

from __future__ import annotations

import subprocess
import sys


def test_the_api_and_the_cli_start_without_importing_dagster() -> None:
    probe = (
        "import sys, report_pipeline.api.app, report_pipeline.cli;"
        " print(sorted(m for m in sys.modules if m.split('.')[0].startswith('dagster')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert loaded == "[]"


def test_only_the_settings_module_reads_the_environment() -> None:
    from pathlib import Path

    import report_pipeline

    root = Path(report_pipeline.__file__).parent
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8")
    )
    assert readers == ["settings.py"]


def test_domain_code_takes_settings_as_arguments() -> None:
    """Entry points load settings once and hand the pieces down; domain code never fetches them."""
    from pathlib import Path

    import report_pipeline
    from report_pipeline.tooling.layers import problems

    assert problems(Path(report_pipeline.__file__).parent) == []


def test_the_layer_check_finds_a_new_fetcher(tmp_path) -> None:
    from report_pipeline.tooling.layers import STILL_FETCHING, problems

    for name in STILL_FETCHING:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("from report_pipeline.settings import load_settings\n")
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "late.py").write_text(
        "def f():\n    from report_pipeline.settings import load_settings\n"
    )
    (tmp_path / "storage").mkdir()
    (tmp_path / "storage" / "env.py").write_text("import os\nHOME = os.getenv('HOME')\n")
    found = [line.split(":")[0] for line in problems(tmp_path)]
    assert found == ["report/late.py", "storage/env.py"]
