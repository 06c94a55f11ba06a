"""Run one extraction in a fresh process and print its outcome and peak RSS (MB).

usage: python -m report_pipeline_tests.extraction.rss_child KIND PATH CONTENT_TYPE
"""

from __future__ import annotations

import json
import resource
import sys
from datetime import UTC
from pathlib import Path

from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline.features import extract_entry
from report_pipeline.storage.object_store import LocalObjectStore, sha256_of


def main() -> None:
    path, content_type = Path(sys.argv[1]), sys.argv[2]
    store = LocalObjectStore(path.parent)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from datetime import datetime

    record = DocumentRecord("doc", path.name, content_type, datetime.now(UTC), path.stat().st_size)
    result = extract_entry(ManifestEntry(record, sha256_of(store, path.name)), store)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "status": result.status,
                "stage": result.stage,
                "reason": result.reason,
                "features": {
                    k: v for k, v in result.features.items() if k not in ("excerpt", "ocr_text")
                },
                "baseline_mb": round(baseline, 1),
                "peak_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
