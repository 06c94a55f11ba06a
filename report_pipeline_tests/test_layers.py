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
