"""Object-store keys of everything the pipeline writes: one place, one layout."""

from __future__ import annotations

from datetime import date


def manifest_key(week: date) -> str:
    return f"manifests/{week.isoformat()}/manifest.json"


def week_features_key(week: date) -> str:
    return f"features/weeks/{week.isoformat()}/features.json"


def feature_cache_key(extractor_version: str, sha256: str) -> str:
    """Content-addressed: same bytes + same extractor version -> same key."""
    return f"features/cache/{extractor_version}/{sha256[:2]}/{sha256}.json"


def report_pdf_key(week: date, customer: str | None = None) -> str:
    """The `all` report where it always was; a customer's under customers/<id>/."""
    return f"{_report_dir(week, customer)}/weekly-report.pdf"


def report_manifest_key(week: date, customer: str | None = None) -> str:
    return f"{_report_dir(week, customer)}/manifest.json"


def report_summary_key(week: date, customer: str | None = None) -> str:
    """A small JSON of the week's numbers (per scope), read by later weeks' trend sections."""
    return f"{_report_dir(week, customer)}/summary.json"


def _report_dir(week: date, customer: str | None) -> str:
    base = f"reports/{week.isoformat()}"
    return base if customer is None else f"{base}/customers/{customer}"
