"""OCR throughput: scanned A4 pages through `document_features` vs the raw tesseract CLI.

Baseline: `tesseract page.png stdout`, one process per core, OMP_THREAD_LIMIT=1, over
the same files, in the same run. Product: a Dagster run of document_manifest +
document_features for a week holding those pages (cold feature cache each repeat).

Usage: python benchmarks/bench_ocr_throughput.py [--pages N] [--repeat R]
Last line: `ratio: X.XX` = product median / baseline median (target <= 1.10 at N = 200).
"""

from __future__ import annotations

import argparse
import shutil

from _common import (
    drop_feature_cache,
    isolated_home,
    machine_info,
    make_page_images,
    median,
    raw_tesseract,
    run_chain,
    seed_week,
    timed,
)


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
        baseline.append(timed(lambda: raw_tesseract(pages)))
        drop_feature_cache(home)
        product.append(timed(lambda: run_chain(("document_manifest", "document_features"))))
    base, prod = median(baseline), median(product)
    print(f"pages: {args.pages}  repeat: {args.repeat}")
    print(f"raw tesseract CLI: {base:.2f} s ({args.pages / base:.2f} pages/s)")
    print(f"document_features: {prod:.2f} s ({args.pages / prod:.2f} pages/s)")
    print(f"ratio: {prod / base:.2f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
