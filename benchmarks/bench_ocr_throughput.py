"""OCR throughput: scanned A4 pages through `document_features` vs the raw tesseract CLI.

Baseline: `tesseract page.png stdout`, one process per core, OMP_THREAD_LIMIT=1, over
the same files, in the same run. Product: a Dagster run of document_manifest +
document_features for a week holding those pages (cold feature cache each repeat), in a
child process so that its CPU, its forkserver's and every step's are counted.

Both are timed in wall seconds and CPU seconds (user + sys of every process involved):
on a shared machine the CPU ratio measures the work, the wall ratio also the waiting.

Usage: python benchmarks/bench_ocr_throughput.py [--pages N] [--repeat R]
Last line: `ratio: X.XX` = product median CPU / baseline median CPU (target <= 1.10).
"""

from __future__ import annotations

import argparse
import os
import shutil

from _common import (
    drop_feature_cache,
    isolated_home,
    machine_info,
    make_page_images,
    median,
    raw_tesseract,
    run_chain_in_child,
    seed_week,
    timed_cpu,
)

FEATURE_STEPS = ("document_manifest", "document_features")


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return median([wall for wall, _ in runs]), median([cpu for _, cpu in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    home = isolated_home("bench-ocr-")
    pages = make_page_images(home / "pages", args.pages)
    seed_week(pages, texts=0)
    print(machine_info())
    baseline, product = [], []
    for _ in range(args.repeat):
        baseline.append(timed_cpu(lambda: raw_tesseract(pages)))
        drop_feature_cache(home)
        product.append(timed_cpu(lambda: run_chain_in_child(FEATURE_STEPS)))
    base, prod = _medians(baseline), _medians(product)
    print(f"pages: {args.pages}  repeat: {args.repeat}  load average: {os.getloadavg()[0]:.1f}")
    for name, (wall, cpu) in (("raw tesseract CLI", base), ("document_features", prod)):
        print(
            f"{name}: {wall:.2f} s wall ({args.pages / wall:.2f} pages/s),"
            f" {cpu:.2f} CPU s ({cpu / args.pages:.3f} CPU s/page)"
        )
    print(f"wall ratio: {prod[0] / base[0]:.2f}")
    print(f"ratio: {prod[1] / base[1]:.2f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
