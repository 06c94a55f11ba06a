"""`python -m report_pipeline.tooling.layers`: domain code takes settings as arguments.

Entry points (the CLI, the API, the Dagster definitions, the forkserver) load
settings once and hand the typed pieces down. A domain module that calls
load_settings() or reads the environment itself hides an input from its
callers and its tests, so `make lint` and test_layers.py fail on a new one.
The check reads the source (ast), so it also sees imports inside functions,
which an import contract on report_pipeline.settings could not tell apart
from the dataclasses the domain is meant to import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN_PACKAGES = (
    "extraction",
    "report",
    "delivery",
    "appdb",
    "storage",
    "pipeline",
    "deid",
    "classify",
)
FETCHING_NAMES = frozenset({"load_settings", "environ", "getenv"})
# Domain modules that still fetch settings themselves, each until its callers hand the value in.
STILL_FETCHING = {
    "extraction/pdf.py": "the page limit; its callers run in forkserver workers",
    "extraction/cost.py": "the page limit, same value as extraction/pdf.py",
    "classify/__init__.py": "taxonomy path, model threshold; callers run in forkserver workers",
}


def _names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.alias):
            yield node.name


def fetchers(root: Path) -> set[str]:
    """Domain modules (relative to the package root) naming load_settings, environ or getenv."""
    found = set()
    for package in DOMAIN_PACKAGES:
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if FETCHING_NAMES.intersection(_names(tree)):
                found.add(str(path.relative_to(root)))
    return found


def problems(root: Path) -> list[str]:
    """One line per module that breaks the rule or is listed without reason any more."""
    found = fetchers(root)
    new = [
        f"{name}: domain code fetches settings; take the value as an argument"
        for name in sorted(found - set(STILL_FETCHING))
    ]
    stale = [
        f"{name}: no longer fetches settings; drop it from STILL_FETCHING"
        for name in sorted(set(STILL_FETCHING) - found)
    ]
    return new + stale


def main() -> int:
    import report_pipeline

    lines = problems(Path(report_pipeline.__file__).parent)
    for line in lines:
        print(f"report_pipeline/{line}", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    raise SystemExit(main())
