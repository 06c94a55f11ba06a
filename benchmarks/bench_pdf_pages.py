"""PDF pages: text-layer pages vs OCR, and scanned-PDF throughput vs `pdftoppm | tesseract`.

Corpus: real pages of the PDF manuals Debian ships under /usr/share/doc.
1. Text layer: `extract` of a PDF of those N pages (text layer, no OCR) vs OCR'ing the
   same pages rendered at 300 dpi through the product's image OCR. Target <= 0.02.
2. Scanned PDF: the same pages rasterised (200 dpi, grayscale JPEG) and wrapped into
   PDFs of --pages-per-pdf pages; `extract` of every PDF, one process per core, vs
   `pdftoppm -gray | tesseract - stdout` per page, one pipeline per core,
   OMP_THREAD_LIMIT=1, over the same files: at 300 dpi (the resolution the product
   reads them at: the ratio) and at the scans' own 200 dpi. Target <= 1.10.
3. Word recall of those scanned pages against their text layer, read as the product
   reads them (300 dpi) and at the scans' own 200 dpi (why the product scales up).

Usage: python benchmarks/bench_pdf_pages.py [--pages N] [--pages-per-pdf K]
Last line: `ratio: X.XX` = scanned-PDF product / raw baseline.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"

import pypdfium2 as pdfium
from _common import ROOT, machine_info
from PIL import Image

sys.path.insert(0, str(ROOT))  # the recall measure lives with the OCR tests
from report_pipeline.extraction import extract
from report_pipeline.extraction.ocr import image_features

SCAN_DPI = 200
MIN_PAGE_CHARS = 400  # skip near-empty pages (covers, blank versos)


def source_pdfs() -> list[bytes]:
    """Debian's PDF manuals (some gzipped), smallest first so small runs start fast."""
    paths = sorted(glob.glob("/usr/share/doc/**/*.pdf*", recursive=True), key=os.path.getsize)
    documents = []
    for path in paths:
        if path.endswith(".pdf"):
            documents.append(Path(path).read_bytes())
        elif path.endswith(".pdf.gz"):
            documents.append(gzip.decompress(Path(path).read_bytes()))
    if not documents:
        raise SystemExit("no PDF under /usr/share/doc: install e.g. shared-mime-info")
    return documents


def text_pages(count: int) -> pdfium.PdfDocument:
    """A new PDF of `count` real pages with a text layer, taken in turn from the manuals."""
    sources = [pdfium.PdfDocument(data) for data in source_pdfs()]
    picked: list[tuple[pdfium.PdfDocument, int]] = []
    for index in range(max(len(source) for source in sources)):
        for source in sources:
            if index < len(source) and _chars(source, index) >= MIN_PAGE_CHARS:
                picked.append((source, index))
            if len(picked) == count:
                break
        if len(picked) == count:
            break
    out = pdfium.PdfDocument.new()
    for source, index in picked:
        out.import_pages(source, [index])
    return out


def _chars(document: pdfium.PdfDocument, index: int) -> int:
    textpage = document[index].get_textpage()
    return len(textpage.get_text_range().strip())


def to_bytes(document: pdfium.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(document: pdfium.PdfDocument, index: int, dpi: int) -> Image.Image:
    return document[index].render(scale=dpi / 72, grayscale=True).to_pil()


def scanned_pdfs(document: pdfium.PdfDocument, per_pdf: int, directory: Path) -> list[Path]:
    """The pages as a scanner sends them: 200 dpi grayscale JPEG in a PDF, per_pdf pages each."""
    images = [render(document, i, SCAN_DPI) for i in range(len(document))]
    paths = []
    for start in range(0, len(images), per_pdf):
        chunk = images[start : start + per_pdf]
        path = directory / f"scan-{start:04d}.pdf"
        chunk[0].save(
            path,
            format="PDF",
            resolution=SCAN_DPI,
            save_all=True,
            append_images=chunk[1:],
            quality=75,
        )
        paths.append(path)
    return paths


def product_one(path: str) -> int:
    kind, features = extract(Path(path).read_bytes(), "application/pdf", Path(path).name)
    assert kind == "pdf" and not features["pages_failed"], features["pages_failed"]
    return features["pages_ocr"]


def warm_up(_: int) -> None:
    image_features(_png(Image.new("L", (200, 100), 255)))  # loads the model in the worker


def raw_pipeline(path: Path, page: int, dpi: int) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = (
        f"pdftoppm -r {dpi} -gray -f {page} -l {page} '{path}' | tesseract - stdout >/dev/null 2>&1"
    )
    subprocess.run(["sh", "-c", command], env=env, check=True)


def page_recall(job: tuple[str, int, str, float | None]) -> float:
    """Recall of one scanned page read as the product reads it (dpi None) or at `dpi`."""
    from report_pipeline.extraction.ocr import rendered_page_features
    from report_pipeline.extraction.pdf_raster import page_image
    from report_pipeline_tests.extraction.real_pages import recall

    path, index, truth, dpi = job
    page = pdfium.PdfDocument(path)[index]
    if dpi is None:
        with page_image(page, index) as image:
            return recall(truth, rendered_page_features(image)["ocr_text"])
    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
    return recall(truth, rendered_page_features(image)["ocr_text"])


def _png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def measure_text_layer(document: pdfium.PdfDocument, repeat: int = 5) -> tuple[float, float]:
    """Seconds per page: the text layer via extract, and OCR of the same page rendered."""
    data, pages = to_bytes(document), len(document)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        kind, features = extract(data, "application/pdf", "manual.pdf")
        times.append(time.perf_counter() - started)
        assert kind == "pdf" and features["pages_text_layer"] == pages, features
    sample = list(range(min(pages, 3)))  # OCR is ~1 s a page: a few pages suffice
    warm_up(0)
    started = time.perf_counter()
    for index in sample:
        buffer = io.BytesIO()
        render(document, index, 300).save(buffer, format="BMP")
        buffer.seek(0)
        image_features(buffer)
    ocr = (time.perf_counter() - started) / len(sample)
    return min(times) / pages, ocr


def measure_recall(document: pdfium.PdfDocument, paths: list[Path], dpi: int | None) -> float:
    """Mean word recall of the scanned pages, ground truth the source's text layer."""
    truths = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    jobs, index = [], 0
    for path in paths:
        for page in range(len(pdfium.PdfDocument(str(path)))):
            jobs.append((str(path), page, truths[index], dpi))
            index += 1
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        recalls = list(pool.map(page_recall, jobs))
    return sum(recalls) / len(recalls)


def measure_scanned(paths: list[Path], pages: int) -> tuple[float, dict[int, float]]:
    """Seconds of the product, and of the raw pipeline at 200 and 300 dpi."""
    workers = os.cpu_count() or 1
    per_page = [
        (path, page) for path in paths for page in range(1, len(pdfium.PdfDocument(str(path))) + 1)
    ]
    raw = {}
    for dpi in (SCAN_DPI, 300):
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda item, dpi=dpi: raw_pipeline(*item, dpi), per_page))
        raw[dpi] = time.perf_counter() - started
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(warm_up, range(workers)))  # worker start is not page work
        started = time.perf_counter()
        ocr_pages = sum(pool.map(product_one, [str(path) for path in paths]))
        product = time.perf_counter() - started
    assert ocr_pages == pages, (ocr_pages, pages)
    return product, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--pages-per-pdf", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm is missing: apt-get install poppler-utils")
    print(machine_info())
    document = text_pages(args.pages)
    pages = len(document)
    text_s, ocr_s = measure_text_layer(document)
    print(f"pages: {pages} (real manual pages, >= {MIN_PAGE_CHARS} characters each)")
    print(
        f"text-layer page: {text_s * 1000:.2f} ms; the same page OCR'd at 300 dpi: "
        f"{ocr_s:.2f} s; ratio {text_s / ocr_s:.4f} (target <= 0.02)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as directory:
        paths = scanned_pdfs(document, args.pages_per_pdf, Path(directory))
        product, raw = measure_scanned(paths, pages)
        product_recall, own = (measure_recall(document, paths, dpi) for dpi in (None, SCAN_DPI))
    print(f"scanned PDFs ({len(paths)} files, {SCAN_DPI} dpi JPEG), {os.cpu_count()} processes:")
    for dpi, seconds in raw.items():
        print(f"raw pdftoppm -r {dpi} | tesseract: {seconds:.2f} s ({pages / seconds:.2f} pages/s)")
    print(f"extract (pypdfium2 + OCR):      {product:.2f} s ({pages / product:.2f} pages/s)")
    print(f"  vs raw at the scans' own {SCAN_DPI} dpi: {product / raw[SCAN_DPI]:.2f}")
    print(
        f"word recall: {product_recall:.3f} as the product reads them (300 dpi),"
        f" {own:.3f} at the scans' own {SCAN_DPI} dpi"
    )
    print(f"ratio: {product / raw[300]:.2f}")


if __name__ == "__main__":
    main()
