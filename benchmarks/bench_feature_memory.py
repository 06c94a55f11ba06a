"""Peak memory of the feature step for a week of 1,000 and of 10,000 documents.

Each size gets its own object store with mixed documents (notes of various
sizes, a few large text files, a small share of scanned pages and some large
images). The feature step then runs in a fresh process exactly as Dagster's
batch steps do (read the manifest, take every count-th entry, extract), all
batches one after another in that process so any growth across batches shows;
its peak RSS is reported. Bounded memory means the ratio is close to 1.

    .venv/bin/python benchmarks/bench_feature_memory.py [--sizes 1000 10000]
        [--image-share 0.005] [--large-every 500] [--large-mb 20] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report_pipeline.models import DocumentRecord, ManifestEntry  # noqa: E402
from report_pipeline.pipeline.features import batch_count, batch_slice, extract_entries  # noqa: E402
from report_pipeline.pipeline.manifest import read_manifest, write_manifest  # noqa: E402
from report_pipeline.storage.object_store import LocalObjectStore  # noqa: E402

WEEK = date(2024, 3, 4)
WORDS = (
    "patient dosage stable adverse event nausea visit trial enrollment laboratory"
    " sample fever rash injection follow monitoring protocol"
).split()


def _note(rng: random.Random, words: int) -> bytes:
    return " ".join(rng.choice(WORDS) for _ in range(words)).encode()


def _large_text(size_mb: int) -> bytes:
    line = b"Patient 0042 reported mild nausea after the second dose; no action taken.\n"
    return (line * (size_mb * 1024 * 1024 // len(line) + 1))[: size_mb * 1024 * 1024]


def _images(rng: random.Random) -> tuple[bytes, bytes]:
    from report_pipeline.tooling.samples import scanned_page_png

    page = scanned_page_png("Randomized trial enrollment completed", width=800)
    from PIL import Image

    big = Image.open(io.BytesIO(page)).convert("L").resize((4000, 5600))
    buffer = io.BytesIO()
    big.save(buffer, "PNG")
    return page, buffer.getvalue()


def build_week(root: Path, size: int, image_share: float, large_every: int, large_mb: int) -> None:
    rng = random.Random(size)
    store = LocalObjectStore(root)
    page, big_page = _images(rng)
    large = _large_text(large_mb)
    image_every = max(1, round(1 / image_share)) if image_share > 0 else 0
    entries = []
    for number in range(size):
        if image_every and number % image_every == 0:
            # One image in ten is a large (22 MP) scan.
            data, kind, name = (
                (big_page if number % (image_every * 10) == 0 else page),
                "image/png",
                f"scan-{number}.png",
            )
        elif large_every and number % large_every == 1:
            data, kind, name = large, "text/plain", f"export-{number}.txt"
        else:
            data, kind, name = _note(rng, rng.randint(20, 2000)), "text/plain", f"n-{number}.txt"
            data += f" {number}".encode()  # unique bytes: no cache hits between documents
        key = f"customers/c{number % 50}/{name}"
        store.put(key, data)
        created = datetime(2024, 3, 4, tzinfo=UTC) + timedelta(seconds=number * 50)
        import hashlib

        entries.append(
            ManifestEntry(
                DocumentRecord(f"d{number}", key, kind, created, len(data)),
                hashlib.sha256(data).hexdigest(),
            )
        )
    write_manifest(store, WEEK, entries)


def feature_step(root: Path, batch_size: int, workers: int) -> dict:
    """What the batch steps do, in this process; returns its peak RSS."""
    store = LocalObjectStore(root)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = len(read_manifest(store, WEEK))
    count = batch_count(total, batch_size, workers)
    ok = failed = 0
    for number in range(count):
        results = extract_entries(batch_slice(read_manifest(store, WEEK), number, count), store)
        ok += sum(r.status == "ok" for r in results)
        failed += sum(r.status == "failed" for r in results)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "documents": total,
        "batches": count,
        "ok": ok,
        "failed": failed,
        "baseline_mb": round(before, 1),
        "peak_mb": round(peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--image-share", type=float, default=0.005)
    parser.add_argument("--large-every", type=int, default=500, help="one large text per N docs")
    parser.add_argument("--large-mb", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--step", help=argparse.SUPPRESS)  # internal: run the step on ROOT
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    if args.step:
        print(json.dumps(feature_step(Path(args.step), args.batch_size, workers)))
        return
    peaks = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-feature-memory-") as tmp:
            build_week(Path(tmp), size, args.image_share, args.large_every, args.large_mb)
            out = subprocess.run(
                [sys.executable, __file__, "--step", tmp, "--batch-size", str(args.batch_size)],
                capture_output=True,
                text=True,
                check=True,
            )
            outcome = json.loads(out.stdout.strip().splitlines()[-1])
        peaks[size] = outcome["peak_mb"]
        print(
            f"{size:>6} documents: {outcome['batches']} batches, {outcome['ok']} ok,"
            f" {outcome['failed']} failed, peak RSS {outcome['peak_mb']} MB"
            f" (after imports {outcome['baseline_mb']} MB)",
            flush=True,
        )
    low, high = min(args.sizes), max(args.sizes)
    print(f"ratio: {peaks[high] / peaks[low]:.2f}")


if __name__ == "__main__":
    main()
