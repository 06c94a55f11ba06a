"""A whole week: cold run vs raw OCR, warm re-run vs cold, and peak memory.

Seeds a week of N scanned pages + M text notes, then measures in the same run:
  cold   manifest + features + report, empty feature cache   vs  raw tesseract CLI over the pages
  warm   the same week again, unchanged (feature cache full)  vs  the cold run
  memory peak RSS of the largest process (the run's step processes included)

Usage: python benchmarks/bench_week.py [--images N] [--texts M] [--measure cold|warm|memory]
Last line: `ratio: X.XX` for the measure chosen (cold: cold/raw, target <= 1.15;
warm: warm/cold, target <= 0.05; memory: peak MB / 500).
"""

from __future__ import annotations

import argparse
import resource
import shutil

from _common import (
    drop_feature_cache,
    isolated_home,
    machine_info,
    make_page_images,
    raw_tesseract,
    run_chain,
    seed_week,
    timed,
)


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--texts", type=int, default=20)
    parser.add_argument("--measure", choices=["cold", "warm", "memory"], default="cold")
    args = parser.parse_args()
    home = isolated_home("bench-week-")
    pages = make_page_images(home / "pages", args.images)
    seed_week(pages, texts=args.texts)
    print(machine_info())
    print(f"week: {args.images} page images + {args.texts} text notes")
    raw = timed(lambda: raw_tesseract(pages)) if args.measure == "cold" else None
    drop_feature_cache(home)
    cold = timed(run_chain)
    print(f"cold run (manifest, features, report): {cold:.2f} s")
    if raw is not None:
        print(f"raw tesseract CLI over the same images: {raw:.2f} s")
        ratio = cold / raw
    elif args.measure == "warm":
        warm = timed(run_chain)
        print(f"warm re-run of the unchanged week: {warm:.2f} s")
        ratio = warm / cold
    else:
        peak = peak_rss_mb()
        print(f"peak RSS of the largest process: {peak:.0f} MB")
        ratio = peak / 500
    print(f"ratio: {ratio:.2f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
