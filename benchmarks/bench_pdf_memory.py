"""Peak memory of a week holding a 500-page scanned PDF (plus notes and a photo).

The PDF is built at run time from real pages (the PDF manuals Debian ships),
rendered at 200 dpi in grayscale and cut to a strip of --page-height inches so
the run stays short: the product renders each page at 300 dpi and OCRs it as
it would a full page, and the pages are split across batches (page ranges).
The week runs as one Dagster run (manifest, features, report; multiprocess
executor) while a thread samples the memory of this process and all its
descendants (step processes included): summed PSS (shared pages split between
the processes sharing them: what the machine holds), summed RSS (overstated)
and the largest single process.

Usage: python benchmarks/bench_pdf_memory.py [--pages 500] [--page-height 1.5] [--notes 20]
                                             [--scan-dpi 200]
Last line: `ratio: X.XX` = peak summed PSS MB / 600 (target <= 1).
"""

from __future__ import annotations

import argparse
import io
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from _common import TreeRss, isolated_home, machine_info, run_chain, seed_documents, timed

BUDGET_MB = 600
SCAN_DPI = 200
DISTINCT_PAGES = 12


def build_pdf(pages: int, page_height_in: float, scan_dpi: int = SCAN_DPI) -> bytes:
    """`pages` scanned strips cycling over DISTINCT_PAGES real pages (run in a child process)."""
    import pypdfium2 as pdfium
    from bench_pdf_pages import render, text_pages, to_bytes

    source = text_pages(DISTINCT_PAGES)
    strips = pdfium.PdfDocument.new()
    for index in range(len(source)):
        image = render(source, index, scan_dpi)
        # Skip the top margin; keep a strip of body text.
        top = int(scan_dpi * 1.0)
        strip = image.crop((0, top, image.width, top + int(scan_dpi * page_height_in)))
        buffer = io.BytesIO()
        strip.save(buffer, format="PDF", resolution=scan_dpi, quality=75)
        strips.import_pages(pdfium.PdfDocument(buffer.getvalue()))
    out = pdfium.PdfDocument.new()
    for start in range(0, pages, len(strips)):
        out.import_pages(strips, list(range(min(len(strips), pages - start))))
    return to_bytes(out)


def seed_week(pages: int, page_height_in: float, notes: int, scan_dpi: int) -> int:
    """Catalog the PDF, a photo and `notes` notes in the benchmark week; the PDF's size."""
    from report_pipeline.tooling.samples import clinical_note_text, photo_jpeg

    data = build_pdf(pages, page_height_in, scan_dpi)
    documents = [(data, "fax-500.pdf", "application/pdf")]
    documents.append((photo_jpeg(seed=1, size=(1600, 1200)), "photo.jpg", "image/jpeg"))
    documents += [
        (clinical_note_text(seed=n).encode(), f"note-{n}.txt", "text/plain") for n in range(notes)
    ]
    seed_documents(documents)
    return len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--page-height", type=float, default=1.5, help="inches of text per page")
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--scan-dpi", type=int, default=SCAN_DPI, help="the scans' resolution")
    args = parser.parse_args()
    home = isolated_home("bench-pdf-memory-")
    print(machine_info())
    # Built and catalogued in a child process: the builder's and the seeding's memory
    # (the PDF's bytes, catalog connections) is not the product's.
    with ProcessPoolExecutor(1) as pool:
        size = pool.submit(
            seed_week, args.pages, args.page_height, args.notes, args.scan_dpi
        ).result()
    print(
        f"week: one scanned PDF of {args.pages} pages ({size / 1e6:.1f} MB,"
        f" {args.page_height} in strips at {args.scan_dpi} dpi), a photo, {args.notes} notes"
    )
    with TreeRss() as rss:
        seconds = timed(run_chain)
    features = _pdf_features(home)
    print(
        f"run (manifest, features, report): {seconds:.1f} s; PDF: {features['pages_ocr']} pages"
        f" OCR'd, {len(features['pages_failed'])} failed, {features['words']} words"
    )
    print(
        f"peak of the process tree: PSS {rss.peak_pss_mb:.0f} MB summed (budget {BUDGET_MB} MB);"
        f" RSS {rss.peak_mb:.0f} MB summed (shared pages counted per process);"
        f" largest single process RSS {rss.peak_single_mb:.0f} MB"
    )
    for name, mb in sorted(rss.at_peak, key=lambda share: -share[1]):
        print(f"  at the peak: {mb:6.1f} MB PSS  {name}")
    own = {pid: round(mb) for pid, mb in rss.own_peaks.items() if mb > 20}
    print(f"largest own (unshared) memory per process over 20 MB, pid: MB: {own}")
    print(f"ratio: {rss.peak_pss_mb / BUDGET_MB:.2f}")
    shutil.rmtree(home, ignore_errors=True)


def _pdf_features(home: Path) -> dict:
    from datetime import date

    from _common import WEEK_KEY

    from report_pipeline.pipeline.features import read_week_features
    from report_pipeline.storage.object_store import LocalObjectStore

    store = LocalObjectStore(home / "objects")
    results = read_week_features(store, date.fromisoformat(WEEK_KEY))
    [pdf] = [r for r in results if r.kind == "pdf"]
    if pdf.status != "ok":
        raise SystemExit(f"the PDF failed: {pdf.reason}")
    return pdf.features


if __name__ == "__main__":
    main()
