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


def report_pdf_key(week: date, sha256: str) -> str:
    """Content-addressed and never overwritten: the PDF a delivery carried stays retrievable."""
    return f"reports/{week.isoformat()}/{sha256}/weekly-report.pdf"


def report_pdf_sha256(key: str, week: date) -> str | None:
    """The sha256 inside ``key`` when it is a report PDF key of ``week``, else None."""
    prefix, suffix = f"reports/{week.isoformat()}/", "/weekly-report.pdf"
    if not (key.startswith(prefix) and key.endswith(suffix)):
        return None
    sha256 = key[len(prefix):-len(suffix)]
    is_hex = len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)
    return sha256 if is_hex else None


def report_version_manifest_key(week: date, sha256: str) -> str:
    return f"reports/{week.isoformat()}/{sha256}/manifest.json"


def report_latest_key(week: date) -> str:
    """Pointer to the newest version: {"pdf_key": ..., "pdf_sha256": ...}."""
    return f"reports/{week.isoformat()}/latest.json"


def report_manifest_key(week: date) -> str:
    """The newest version's manifest (each version also keeps its own copy)."""
    return f"reports/{week.isoformat()}/manifest.json"


def report_summary_key(week: date) -> str:
    """A small JSON of the week's numbers, read by later weeks' trend sections."""
    return f"reports/{week.isoformat()}/summary.json"
