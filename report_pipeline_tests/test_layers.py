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


DOMAIN_PACKAGES = ("extraction", "report", "delivery", "appdb", "storage", "pipeline", "deid")
# Domain modules that still fetch settings themselves, each until its callers hand the value in.
STILL_FETCHING = {
    "extraction/pdf.py": "the page limit; its callers run in forkserver workers",
    "extraction/cost.py": "the page limit, same value as extraction/pdf.py",
    "delivery/addresses.py": "the special-use domains when a caller passes none",
    "pipeline/gate.py": "REPORT_PIPELINE_MAIL_EMPTY_WEEKS inside report_held",
}


def _fetchers(root) -> set[str]:
    """Domain modules that name load_settings, os.environ or os.getenv anywhere."""
    import ast

    found = set()
    for package in DOMAIN_PACKAGES:
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
                if isinstance(node, ast.alias):
                    name = node.name
                if name in {"load_settings", "environ", "getenv"}:
                    found.add(str(path.relative_to(root)))
    return found


def test_domain_code_takes_settings_as_arguments() -> None:
    """Entry points load settings once and hand the pieces down; domain code never fetches them."""
    from pathlib import Path

    import report_pipeline

    fetchers = _fetchers(Path(report_pipeline.__file__).parent)
    assert fetchers <= set(STILL_FETCHING), sorted(fetchers - set(STILL_FETCHING))
    assert set(STILL_FETCHING) <= fetchers, "a module stopped fetching: drop it from the list"
