"""A mixed week vs the naive baseline "rasterize and OCR every page".

The week: text-layer PDFs (real pages of the PDF manuals Debian ships), scanned
PDFs (other real pages rendered at 200 dpi, grayscale JPEG, as a scanner sends
them), photos without text and clinical notes.

Product: a Dagster run of document_manifest + document_features (multiprocess,
cold feature cache): text-layer pages are read without OCR, photos get the
"no text found" check, scanned pages are OCR'd, batches are planned by pages.
Baseline, same files, same run: every PDF page `pdftoppm -r 300 -gray | tesseract`
and every photo `tesseract`, one pipeline per core, OMP_THREAD_LIMIT=1 (notes are
text either way and cost the baseline nothing).

Both are timed in wall seconds and CPU seconds (user + sys of every process: the product
runs in a child process, so its forkserver's and every step's CPU are counted). On a
shared machine the CPU figures measure the work, wall time also the waiting. To compare
with another version of the product, run this file from a copy of that tree (its CPU
per scanned page is printed).

Usage: python benchmarks/bench_mixed_week.py [--text-pages N] [--scanned-pages N]
    [--pages-per-pdf K] [--photos N] [--notes N]
Last line: `ratio: X.XX` = product / baseline wall time (target <= 0.5).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import isolated_home, machine_info, run_chain_in_child, seed_documents, timed_cpu


def build_week(args: argparse.Namespace, directory: Path) -> list[tuple[bytes, str, str]]:
    import pypdfium2 as pdfium
    from bench_pdf_pages import scanned_pdfs, text_pages, to_bytes

    from report_pipeline.tooling.samples import clinical_note_text, photo_jpeg

    pages = text_pages(args.text_pages + args.scanned_pages)
    documents: list[tuple[bytes, str, str]] = []
    for start in range(0, args.text_pages, args.pages_per_pdf):
        part = pdfium.PdfDocument.new()
        part.import_pages(
            pages, list(range(start, min(start + args.pages_per_pdf, args.text_pages)))
        )
        documents.append((to_bytes(part), f"letter-{start}.pdf", "application/pdf"))
    scanned = pdfium.PdfDocument.new()
    scanned.import_pages(pages, list(range(args.text_pages, len(pages))))
    for path in scanned_pdfs(scanned, args.pages_per_pdf, directory):
        documents.append((path.read_bytes(), path.name, "application/pdf"))
    for number in range(args.photos):
        documents.append(
            (photo_jpeg(seed=number, size=(1600, 1200)), f"photo-{number}.jpg", "image/jpeg")
        )
    for number in range(args.notes):
        documents.append(
            (clinical_note_text(seed=number).encode(), f"note-{number}.txt", "text/plain")
        )
    return documents


def baseline(documents: list[tuple[bytes, str, str]], directory: Path) -> int:
    """Rasterize every PDF page at 300 dpi and OCR it; OCR every photo. Returns OCR passes."""
    import pypdfium2 as pdfium

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    jobs: list[str] = []
    for data, name, content_type in documents:
        path = directory / f"baseline-{name}"
        path.write_bytes(data)
        if content_type == "application/pdf":
            for page in range(1, len(pdfium.PdfDocument(data)) + 1):
                jobs.append(
                    f"pdftoppm -r 300 -gray -f {page} -l {page} '{path}' | tesseract - stdout"
                )
        elif content_type.startswith("image/"):
            jobs.append(f"tesseract '{path}' stdout")

    def run(command: str) -> None:
        subprocess.run(["sh", "-c", command + " >/dev/null 2>&1"], env=env, check=True)

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(run, jobs))
    return len(jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-pages", type=int, default=40)
    parser.add_argument("--scanned-pages", type=int, default=10)
    parser.add_argument("--pages-per-pdf", type=int, default=5)
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--notes", type=int, default=50)
    args = parser.parse_args()
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm is missing: apt-get install poppler-utils")
    home = isolated_home("bench-mixed-")
    print(machine_info())
    documents = build_week(args, home)
    seed_documents(documents)
    print(
        f"week: {len(documents)} documents: {args.text_pages} text-layer PDF pages,"
        f" {args.scanned_pages} scanned PDF pages ({args.pages_per_pdf} a PDF),"
        f" {args.photos} photos without text, {args.notes} notes"
    )
    passes = 0

    def run_baseline() -> None:
        nonlocal passes
        passes = baseline(documents, home)

    raw, raw_cpu = timed_cpu(run_baseline)
    product, product_cpu = timed_cpu(
        lambda: run_chain_in_child(("document_manifest", "document_features"))
    )
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(
        f"baseline, rasterize + OCR every page ({passes} OCR passes): {raw:.2f} s,"
        f" {raw_cpu:.2f} CPU s"
    )
    print(
        f"product (manifest + features, Dagster run): {product:.2f} s, {product_cpu:.2f} CPU s"
        f" ({product_cpu / max(args.scanned_pages, 1):.2f} CPU s per scanned page)"
    )
    print(f"cpu ratio: {product_cpu / raw_cpu:.2f}")
    print(f"ratio: {product / raw:.2f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
