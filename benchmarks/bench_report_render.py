"""Time render_weekly_report on a synthetic week, with 12 weeks of trend history.

Usage: python benchmarks/bench_report_render.py [--documents N] [--repeat R]
The last line, ``ratio: X.XX``, is the median time over the 1.5 s budget.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from report_pipeline.models import DocumentRecord, FeatureResult, ManifestEntry
from report_pipeline.report import render_weekly_report

BUDGET_SECONDS = 1.5
WEEK_START = date(2024, 3, 4)
# Common words (shown) and names, ids and foreign words (removed by report_pipeline.deid).
TERMS = [
    "patient",
    "dosage",
    "nausea",
    "fatigue",
    "insulin",
    "glucose",
    "rash",
    "fever",
    "cough",
    "pressure",
    "chest",
    "pain",
    "fracture",
    "treatment",
    "medication",
    "follow",
    "stable",
] * 20 + ["smith", "okonkwo", "garcia", "visite", "Überprüfung", "mrn", "dob", "x4821937"] * 5
TYPES = ["application/pdf", "text/plain", "image/png", "image/jpeg", "text/csv"]
STAGES = ["read", "decode", "ocr", "features"]


def synthetic_week(n: int, seed: int = 7) -> tuple[list[ManifestEntry], list[FeatureResult]]:
    """n documents over 40 customers, ~4% failed, ~0.5% with no result at all."""
    rng = random.Random(seed)
    entries, results = [], []
    start = datetime(2024, 3, 4, tzinfo=UTC)
    for i in range(n):
        doc_id = f"doc-{i:06d}"
        content_type = rng.choice(TYPES)
        record = DocumentRecord(
            document_id=doc_id,
            file_location=f"customers/customer-{i % 40:02d}/2024/03/{doc_id}.bin",
            content_type=content_type,
            created_at=start + timedelta(seconds=rng.randrange(7 * 86400)),
            size=rng.randrange(1_000, 5_000_000),
        )
        entries.append(ManifestEntry(record, sha256=f"{i:064x}"))
        roll = rng.random()
        if roll < 0.005:
            continue
        if roll < 0.04:
            results.append(
                FeatureResult(
                    doc_id,
                    "failed",
                    stage=rng.choice(STAGES),
                    reason=f"could not decode 'customers/{doc_id}.pdf' page 3: unexpected EOF",
                )
            )
            continue
        results.append(_ok_result(rng, doc_id, content_type.startswith("image/")))
    return entries, results


def _ok_result(rng: random.Random, doc_id: str, image: bool) -> FeatureResult:
    terms = [[t, rng.randrange(1, 50)] for t in rng.sample(TERMS, 10)]  # cached raw terms
    words = rng.randrange(10, 5000)
    if image:
        features = {
            "ocr_text": "lorem ipsum",
            "word_count": words,
            "width": 1240,
            "height": 1754,
            "mode": "L",
            "frames": 1,
            "top_terms": terms,
            "ocr_confidence": rng.choice([None, rng.uniform(20, 99)]),
        }
        return FeatureResult(doc_id, "ok", kind="image", features=features)
    features = {
        "encoding": "utf-8",
        "characters": words * 6,
        "words": words,
        "lines": words // 10,
        "top_terms": terms,
        "excerpt": "lorem ipsum",
    }
    return FeatureResult(doc_id, "ok", kind="text", features=features)


def synthetic_history(rng: random.Random) -> dict[date, dict]:
    """Published summaries of the 11 weeks before, two of them missing (gaps)."""
    history = {}
    for back in range(1, 12):
        if back in (4, 7):
            continue
        total = rng.randrange(8_000, 11_000)
        history[WEEK_START - timedelta(weeks=back)] = {
            "documents_total": total,
            "documents_failed": rng.randrange(200, 500),
            "needs_review": rng.randrange(100, 600),
            "mean_ocr_confidence": rng.uniform(55, 90),
        }
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    entries, results = synthetic_week(args.documents)
    history = synthetic_history(random.Random(11))
    generated_at = datetime(2024, 3, 11, 6, 0, tzinfo=UTC)
    # warm-up: imports, fonts
    render_weekly_report(WEEK_START, entries, results, generated_at, history)
    timings, report = [], None
    for _ in range(max(args.repeat, 1)):
        began = time.perf_counter()
        report = render_weekly_report(WEEK_START, entries, results, generated_at, history)
        timings.append(time.perf_counter() - began)
    median = statistics.median(timings)
    print(f"platform: {platform.platform()}")
    print(f"python: {platform.python_version()}  cpu_count: {os.cpu_count()}")
    print(f"documents: {args.documents}  repeat: {len(timings)}")
    print(
        f"failed: {report.summary['documents_failed']}  "
        f"needs_review: {report.summary['needs_review']}  pages: {report.page_count}  "
        f"pdf_bytes: {len(report.pdf)}"
    )
    print(f"median_s: {median:.3f}  min_s: {min(timings):.3f}  budget_s: {BUDGET_SECONDS}")
    print(f"ratio: {median / BUDGET_SECONDS:.2f}")


if __name__ == "__main__":
    main()
