"""OCR word recall on real pages: Debian-shipped PDFs, rendered and degraded like scans and faxes.

Ground truth: each page's text layer (pdftotext). Images: pdftoppm renders, degraded
as scanners and fax machines do (150/200/300 dpi, JPEG q30/q60, blur, uneven light,
1-8 degree skew, 90/180/270 degree turns, 1-bit fax fine/standard). Each image goes
through the product's OCR path (image_features: orientation, deskew, preprocessing)
and through plain `tesseract img stdout` (OMP_THREAD_LIMIT=1), one process per core.
A few photos without text (real ones shipped by matplotlib, and the demo's photos)
measure the "no text found" path against a plain tesseract pass.

Usage: python benchmarks/bench_ocr_real_pages.py [--pages N] [--degradations a b ...]
Last line: `ratio: X.XX` = product seconds / plain tesseract seconds over all images.
Targets: recall >= 0.97 at 200 dpi; turned and skewed (<= 8 degrees) pages >= 0.95x upright.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from _common import ROOT, machine_info

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(ROOT))

from report_pipeline_tests.extraction import real_pages as rp

MPL_SAMPLES = "matplotlib/mpl-data/sample_data"


def _product(path: str) -> tuple[str, float, dict]:
    from report_pipeline.extraction.ocr import image_features

    started = time.perf_counter()
    features = image_features(Path(path).read_bytes())
    facts = {k: features.get(k) for k in ("no_text_found", "pages_rotated", "pages_deskewed")}
    return features["ocr_text"], time.perf_counter() - started, facts


def _plain(path: str) -> tuple[str, float]:
    started = time.perf_counter()
    out = subprocess.run(
        ["tesseract", path, "stdout"],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return out.stdout, time.perf_counter() - started


def _save(image, path: Path) -> Path:
    data, suffix = rp.file_bytes(image)
    path = path.with_suffix(suffix)
    path.write_bytes(data)
    return path


def _photos(directory: Path) -> list[Path]:
    """Real photos without text from matplotlib's samples, and the demo's photo."""
    import matplotlib
    from PIL import Image

    from report_pipeline.tooling import samples

    base = Path(matplotlib.__file__).parent / "mpl-data" / "sample_data"
    hopper = Image.open(base / "grace_hopper.jpg").convert("RGB")
    images = {
        "hopper.png": hopper,
        "hopper-12mp.png": hopper.resize((3024, 4032)),
        "demo-photo.png": Image.open(io.BytesIO(samples.photo_jpeg(seed=1))),
    }
    return [_save(image, directory / name) for name, image in images.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--degradations", nargs="*", default=list(rp.DEGRADATIONS))
    args = parser.parse_args()
    if not rp.tools_present() or not rp.available_pdfs():
        raise SystemExit("needs poppler-utils and Debian doc PDFs: run `make bench`")
    print(machine_info())
    workdir = Path(tempfile.mkdtemp(prefix="bench-ocr-real-"))
    pages = rp.text_pages(args.pages, workdir=workdir)
    print("corpus: " + ", ".join(f"{pdf.name} p{page}" for pdf, page, _ in pages))
    jobs: list[tuple[str, str, Path]] = []
    for name in args.degradations:
        for number, (pdf, page, truth) in enumerate(pages):
            path = _save(rp.degraded(pdf, page, name), workdir / f"{name}-{number}.png")
            jobs.append((name, truth, path))
    photos = _photos(workdir)
    paths = [str(p) for _, _, p in jobs] + [str(p) for p in photos]
    workers = os.cpu_count() or 1
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        product = list(pool.map(_product, paths))
    product_wall = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        plain = list(pool.map(_plain, paths))
    plain_wall = time.perf_counter() - started
    _report(args, jobs, photos, product, plain)
    _no_text_cost(photos, [p for _, _, p in jobs[: len(jobs) and 1]])
    print(
        f"wall: product {product_wall:.1f} s, plain tesseract {plain_wall:.1f} s"
        f" ({len(paths)} images, {workers} processes)"
    )
    print(f"ratio: {product_wall / plain_wall:.2f}")
    shutil.rmtree(workdir, ignore_errors=True)


def _no_text_cost(photos: list[Path], pages: list[Path]) -> None:
    """In one process, one after another: the no-text path vs a forced OCR pass.

    Decoding is timed apart (both paths pay it); the forced pass runs the product's
    engine on the product's preprocessed image, as if the check were not there.
    """
    from PIL import Image

    from report_pipeline.extraction import ocr
    from report_pipeline.extraction.engines import default_engine

    for path in photos + pages:
        data = path.read_bytes()
        decode = min(_clock(lambda d=data: Image.open(io.BytesIO(d)).load()) for _ in range(3))
        product = min(_clock(lambda d=data: ocr.image_features(d)) for _ in range(3))
        image = ocr.prepare_for_ocr(Image.open(io.BytesIO(data)))
        full = min(_clock(lambda i=image: default_engine().word_table(i, 600)) for _ in range(2))
        print(
            f"no-text check {path.name:18s} decode {decode:.2f} s, product {product:.2f} s"
            f" ({product - decode:.2f} s after decoding), one OCR pass {full:.2f} s:"
            f" {(product - decode) / full:.2f}x of an OCR pass"
        )


def _clock(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _report(args, jobs, photos, product, plain) -> None:
    print(f"pages per degradation: {args.pages}")
    print(
        f"{'degradation':14s} {'recall':>7s} {'min':>6s} {'plain':>7s} {'s/page':>7s}"
        f" {'plain s':>7s}  notes"
    )
    recalls: dict[str, float] = {}
    for name in args.degradations:
        rows = [i for i, (n, _, _) in enumerate(jobs) if n == name]
        if not rows:
            continue
        ours = [rp.recall(jobs[i][1], product[i][0]) for i in rows]
        theirs = [rp.recall(jobs[i][1], plain[i][0]) for i in rows]
        recalls[name] = sum(ours) / len(ours)
        rotated = sum(product[i][2]["pages_rotated"] for i in rows)
        deskewed = sum(product[i][2]["pages_deskewed"] for i in rows)
        print(
            f"{name:14s} {recalls[name]:7.3f} {min(ours):6.3f} {sum(theirs) / len(theirs):7.3f}"
            f" {sum(product[i][1] for i in rows) / len(rows):7.2f}"
            f" {sum(plain[i][1] for i in rows) / len(rows):7.2f}"
            f"  turned {rotated}/{len(rows)}, deskewed {deskewed}/{len(rows)}"
        )
    offset = len(jobs)
    for number, path in enumerate(photos):
        text, seconds, facts = product[offset + number]
        print(
            f"photo {path.name:18s} no_text_found={facts['no_text_found']}"
            f" product {seconds:.2f} s, plain tesseract {plain[offset + number][1]:.2f} s"
            f" ({len(rp.words(plain[offset + number][0]))} junk words)"
        )
    _targets(recalls)


def _targets(recalls: dict[str, float]) -> None:
    upright = recalls.get("200dpi")
    if upright is None:
        return
    print(
        f"target recall >= 0.97 at 200 dpi: {upright:.3f} {'met' if upright >= 0.97 else 'NOT met'}"
    )
    for name, value in recalls.items():
        if name.startswith(("rot-", "skew-")):
            share = value / upright if upright else 0.0
            print(
                f"target {name} >= 0.95x upright: {share:.3f}x"
                f" {'met' if share >= 0.95 else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
