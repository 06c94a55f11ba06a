"""Per-customer reports: a week split over C customers (C + 1 PDFs) vs its single PDF.

Usage: python benchmarks/bench_report_scopes.py [--documents N] [--customers C] [--repeat R]
Both sides publish to a local object store (PDF + manifest) from the same
synthetic week in the same run; the last line, ``ratio: X.XX``, is the median
time of every scope's report (`all` + one per customer) over the median time
of the `all` report alone. Goal: <= 3.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_report_render import synthetic_week

from report_pipeline.pipeline.publish import publish_report
from report_pipeline.pipeline.scopes import publish_scopes
from report_pipeline.storage.object_store import LocalObjectStore

WEEK_START = date(2024, 3, 4)
GENERATED_AT = datetime(2024, 3, 11, 6, 0, tzinfo=UTC)


def spread(entries, customers: int):
    """The same documents, re-keyed over `customers` customers."""
    from dataclasses import replace

    out = []
    for number, entry in enumerate(entries):
        name = entry.record.file_location.rsplit("/", 1)[-1]
        key = f"customers/customer-{number % customers:02d}/2024/03/{name}"
        out.append(replace(entry, record=replace(entry.record, file_location=key)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    entries, results = synthetic_week(args.documents)
    entries = spread(entries, args.customers)
    store = LocalObjectStore(Path(tempfile.mkdtemp(prefix="bench-scopes-")))

    def single() -> None:
        publish_report(store, WEEK_START, entries, results, GENERATED_AT)

    def scoped() -> int:
        return len(publish_scopes(store, WEEK_START, entries, results, GENERATED_AT, threshold=0.1))

    single()  # warm-up: imports, fonts
    pdfs = scoped()
    one, every = [], []
    for _ in range(max(args.repeat, 1)):
        began = time.perf_counter()
        single()
        one.append(time.perf_counter() - began)
        began = time.perf_counter()
        scoped()
        every.append(time.perf_counter() - began)
    single_s, scoped_s = statistics.median(one), statistics.median(every)
    print(f"platform: {platform.platform()}")
    print(f"python: {platform.python_version()}  cpu_count: {os.cpu_count()}")
    print(
        f"documents: {args.documents}  customers: {args.customers}  pdfs: {pdfs}"
        f"  repeat: {len(one)}"
    )
    print(
        f"single_pdf_median_s: {single_s:.3f}  all_scopes_median_s: {scoped_s:.3f}"
        f"  per_customer_pdf_s: {(scoped_s - single_s) / max(pdfs - 1, 1):.3f}"
    )
    print(f"ratio: {scoped_s / single_s:.2f}")


if __name__ == "__main__":
    main()
