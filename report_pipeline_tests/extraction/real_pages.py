"""Real pages for OCR tests and the OCR benchmark: PDFs Debian ships, rendered and degraded.

Ground truth is each page's text layer (pdftotext); the images come from pdftoppm,
then are degraded the way scanners and fax machines do. Nothing here draws text.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

# Debian packages whose PDFs make the corpus (installed by `make bench`).
DOC_PDFS = (
    "/usr/share/doc/bzip2/manual.pdf.gz",  # bzip2-doc
    "/usr/share/doc/libtasn1-doc/libtasn1.pdf",  # libtasn1-doc
    "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf",
    "/usr/share/doc/fontconfig/fontconfig-user.pdf.gz",
)
_WORD = re.compile(r"[A-Za-z0-9]{2,}")


def available_pdfs() -> list[Path]:
    return [Path(p) for p in DOC_PDFS if Path(p).is_file()]


def tools_present() -> bool:
    return all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext", "pdfinfo"))


def _plain_pdf(path: Path, workdir: Path) -> Path:
    if path.suffix != ".gz":
        return path
    target = workdir / path.stem
    if not target.exists():
        target.write_bytes(gzip.decompress(path.read_bytes()))
    return target


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def render(pdf: Path, page: int, dpi: int) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def recall(truth: str, found: str) -> float:
    """Share of the ground-truth words (with multiplicity) that OCR found."""
    want, got = Counter(words(truth)), Counter(words(found))
    total = sum(want.values())
    return sum(min(n, got[w]) for w, n in want.items()) / total if total else 1.0


def text_pages(
    count: int, min_words: int = 150, workdir: Path | None = None
) -> list[tuple[Path, int, str]]:
    """Up to `count` (pdf, page, ground truth) with at least `min_words` prose words.

    Pages are taken round-robin over the PDFs, skipping title pages and tables of
    contents (dot leaders), so the corpus mixes typefaces and layouts.
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix="real-pages-"))
    pdfs = [_plain_pdf(p, workdir) for p in available_pdfs()]
    cursors = {pdf: 3 for pdf in pdfs}
    limits = {pdf: page_count(pdf) for pdf in pdfs}
    chosen: list[tuple[Path, int, str]] = []
    while len(chosen) < count and any(cursors[p] <= limits[p] for p in pdfs):
        for pdf in pdfs:
            if len(chosen) >= count or cursors[pdf] > limits[pdf]:
                continue
            page, cursors[pdf] = cursors[pdf], cursors[pdf] + 3
            text = page_text(pdf, page)
            if len(words(text)) >= min_words and text.count(". . .") < 3:
                chosen.append((pdf, page, text))
    return chosen


# --- degradations: each maps a 200/300 dpi grey page to what a scanner or fax sends ---


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _uneven(image: Image.Image) -> Image.Image:
    # A lamp on one side: brightness falls from 100% to 45% across the page, plus grey paper.
    h, w = image.height, image.width
    ramp = np.linspace(1.0, 0.45, w, dtype=np.float32)[None, :] * np.linspace(1.0, 0.8, h)[:, None]
    pixels = np.asarray(image, np.float32) * 0.9 * ramp
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _skew(degrees: float) -> Callable[[Image.Image], Image.Image]:
    return lambda im: im.rotate(
        degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255
    )


def _turn(degrees: int) -> Callable[[Image.Image], Image.Image]:
    return lambda im: im.rotate(degrees, expand=True)


def _fax(image: Image.Image, standard: bool = False) -> Image.Image:
    # Fax: 1-bit at ~200 dpi, a little line noise. "Standard" mode scans every other
    # line: the file holds half the rows and says so in its resolution (200 x 100 dpi).
    if standard:
        image = image.resize((image.width, image.height // 2), Image.Resampling.BOX)
    rng = np.random.default_rng(7)
    pixels = np.asarray(image) > 150
    pixels ^= rng.random(pixels.shape) < 0.002
    fax = Image.fromarray(pixels).convert("1")
    fax.info["dpi"] = (200, 100) if standard else (200, 200)
    return fax


def phone_photo(page: Image.Image) -> Image.Image:
    """The page photographed on a desk: tilted, lit from one side, soft, JPEG."""
    w, h = page.size
    desk = Image.new("L", (int(w * 1.25), int(h * 1.2)), 90)
    desk.paste(page, (int(w * 0.12), int(h * 0.1)))
    dw, dh = desk.size
    # Corners of the output pulled in unevenly: the camera was not square to the page.
    quad = (dw * 0.06, dh * 0.02, dw * 0.0, dh * 0.98, dw * 1.0, dh * 1.0, dw * 0.95, dh * 0.05)
    warped = desk.transform(desk.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)
    ramp = np.linspace(1.0, 0.55, dw, dtype=np.float32)[None, :]
    ramp = ramp * np.linspace(0.95, 0.75, dh, dtype=np.float32)[:, None]
    lit = Image.fromarray(np.clip(np.asarray(warped, np.float32) * ramp, 0, 255).astype(np.uint8))
    soft = lit.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    soft.convert("RGB").save(buffer, "JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


def fax_204(page: Image.Image, rows_dpi: int) -> Image.Image:
    """A 200 dpi render as a fax machine sends it: 204 dpi across, rows_dpi down, 1-bit."""
    size = (round(page.width * 204 / 200), round(page.height * rows_dpi / 200))
    scanned = page.resize(size, Image.Resampling.BOX)
    rng = np.random.default_rng(7)
    bits = np.asarray(scanned) > 150
    bits ^= rng.random(bits.shape) < 0.002
    image = Image.fromarray(bits).convert("1")
    image.info["dpi"] = (204, rows_dpi)
    return image


# name -> (render dpi, degradation)
DEGRADATIONS: dict[str, tuple[int, Callable[[Image.Image], Image.Image]]] = {
    "300dpi": (300, lambda im: im),
    "200dpi": (200, lambda im: im),
    "150dpi": (150, lambda im: im),
    "jpeg-q60": (200, lambda im: _jpeg(im, 60)),
    "jpeg-q30": (200, lambda im: _jpeg(im, 30)),
    "blur": (200, lambda im: im.filter(ImageFilter.GaussianBlur(1.0))),
    "uneven-light": (200, _uneven),
    "skew-1": (200, _skew(1)),
    "skew-3": (200, _skew(-3)),
    "skew-5": (200, _skew(5)),
    "skew-8": (200, _skew(-8)),
    "rot-90": (200, _turn(90)),
    "rot-180": (200, _turn(180)),
    "rot-270": (200, _turn(270)),
    "fax-fine": (200, _fax),
    "fax-standard": (200, lambda im: _fax(im, standard=True)),
}


def degraded(pdf: Path, page: int, name: str) -> Image.Image:
    dpi, degrade = DEGRADATIONS[name]
    return degrade(render(pdf, page, dpi))


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def file_bytes(image: Image.Image) -> tuple[bytes, str]:
    """The image as the file a scanner or fax would send: (bytes, suffix)."""
    if image.mode == "1":  # faxes arrive as CCITT G4 TIFF with their resolution
        buffer = io.BytesIO()
        image.save(buffer, "TIFF", compression="group4", dpi=image.info.get("dpi", (200, 200)))
        return buffer.getvalue(), ".tif"
    return png_bytes(image), ".png"
