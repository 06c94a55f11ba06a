"""Reading a published report's manifest (what publish.py stored), without the renderer.

Senders and the CLI read manifests to mail or describe a report; importing
publish.py for that would load polars, fpdf2 and matplotlib into every sender.
"""

from __future__ import annotations

import json
from datetime import date

from report_pipeline.pipeline.keys import report_manifest_key, report_version_manifest_key
from report_pipeline.storage.object_store import ObjectStore


def read_published_manifest(
    store: ObjectStore, week: date, pdf_sha256: str | None = None, customer: str | None = None
) -> dict:
    """The newest version's manifest, or the one of version `pdf_sha256` when it has its own."""
    if pdf_sha256 and store.exists(key := report_version_manifest_key(week, pdf_sha256, customer)):
        return json.loads(store.get(key))
    return json.loads(store.get(report_manifest_key(week, customer)))
