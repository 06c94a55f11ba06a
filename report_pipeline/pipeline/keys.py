"""Object-store keys of everything the pipeline writes: one place, one layout."""

from __future__ import annotations

from datetime import date


def manifest_key(week: date) -> str:
    return f"manifests/{week.isoformat()}/manifest.json"


def read_ahead_manifest_key(day: date) -> str:
    """The documents of one day read ahead of the week's run (rewritten by each pass)."""
    return f"manifests/read-ahead/{day.isoformat()}/manifest.json"


def week_features_key(week: date) -> str:
    return f"features/weeks/{week.isoformat()}/features.json"


def feature_cache_key(extractor_version: str, sha256: str) -> str:
    """Content-addressed: same bytes + same extractor version -> same key."""
    return f"features/cache/{extractor_version}/{sha256[:2]}/{sha256}.json"


def feature_part_cache_key(extractor_version: str, sha256: str, first: int, stop: int) -> str:
    """Pages [first, stop) (0-based) of a document split across batches, beside its whole entry."""
    return f"features/cache/{extractor_version}/{sha256[:2]}/{sha256}.pages-{first + 1}-{stop}.json"


def report_pdf_key(week: date, sha256: str, customer: str | None = None) -> str:
    """Content-addressed and never overwritten: the PDF a delivery carried stays retrievable.

    The `all` report under reports/<week>/, a customer's under reports/<week>/customers/<id>/.
    """
    return f"{_report_dir(week, customer)}/{sha256}/weekly-report.pdf"


def report_pdf_sha256(key: str, week: date, customer: str | None = None) -> str | None:
    """The sha256 inside ``key`` when it is a report PDF key of ``week`` (and scope), else None."""
    prefix, suffix = f"{_report_dir(week, customer)}/", "/weekly-report.pdf"
    if not (key.startswith(prefix) and key.endswith(suffix)):
        return None
    sha256 = key[len(prefix) : -len(suffix)]
    is_hex = len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)
    return sha256 if is_hex else None


def report_version_manifest_key(week: date, sha256: str, customer: str | None = None) -> str:
    return f"{_report_dir(week, customer)}/{sha256}/manifest.json"


def report_latest_key(week: date, customer: str | None = None) -> str:
    """Pointer to the newest version: {"pdf_key": ..., "pdf_sha256": ...}."""
    return f"{_report_dir(week, customer)}/latest.json"


def report_manifest_key(week: date, customer: str | None = None) -> str:
    """The newest version's manifest (each version also keeps its own copy)."""
    return f"{_report_dir(week, customer)}/manifest.json"


def report_summary_key(week: date, customer: str | None = None) -> str:
    """A small JSON of the week's numbers (per scope), read by later weeks' trend sections."""
    return f"{_report_dir(week, customer)}/summary.json"


def _report_dir(week: date, customer: str | None) -> str:
    base = f"reports/{week.isoformat()}"
    return base if customer is None else f"{base}/customers/{customer}"


TYPE_MODEL_POINTER_KEY = "classifier/current.json"  # {"version", "key", "classes", ...}


def type_model_key(version: str) -> str:
    """One object per model version (labels, taxonomy, scikit-learn): never overwritten."""
    return f"classifier/models/{version}.npz"
