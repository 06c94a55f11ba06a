"""Hard scans: the product's word recall next to plain `tesseract IMG -` on the same image.

Real pages (text layers of Debian-shipped PDFs as ground truth, rendered by poppler),
degraded at run time the way phones, fax gateways and scanners degrade them: a phone
photo (projective warp on a darker desk, an illumination gradient, blur, JPEG), faxes
(1-bit CCITT G4 TIFF at 204x196 and 204x98 dpi), 180 degrees, 100 and 150 dpi, and
photos without text (scikit-image's data photos). OMP_THREAD_LIMIT=1 for both.

Per class: the mean recall, the worst page, plain tesseract's mean, seconds a page, and
each page's recall (product/plain) in corpus order, so a class's loss can be traced to a page.

Usage: python benchmarks/bench_hard_scans.py [--pages N] [--classes NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine_info

os.environ["OMP_THREAD_LIMIT"] = "1"
sys.path.insert(0, str(ROOT))

from PIL import Image

from report_pipeline_tests.extraction import real_pages as rp

CLASSES = {
    "clean-300dpi": (300, lambda im: im),
    "upright-200dpi": (200, lambda im: im),
    "rot-180": (200, lambda im: im.rotate(180)),
    "phone-photo": (200, rp.phone_photo),
    "fax-204x196": (200, lambda im: rp.fax_204(im, 196)),
    "fax-204x98": (200, lambda im: rp.fax_204(im, 98)),
    "lowres-150dpi": (150, lambda im: im),
    "lowres-100dpi": (100, lambda im: im),
}
NO_TEXT_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "cat")


def _save(image: Image.Image, path: Path, dpi: int | None = None) -> Path:
    """The degraded page as a file; ``dpi`` written into a PNG or JPEG as scanners do.

    Faxes always say their resolution (it is how a standard-mode fax is told apart).
    """
    resolution = {"dpi": (dpi, dpi)} if dpi else {}
    if image.mode == "1":
        path = path.with_suffix(".tif")
        image.save(path, "TIFF", compression="group4", dpi=image.info["dpi"])
    elif image.format == "JPEG":
        path = path.with_suffix(".jpg")
        image.save(path, "JPEG", quality=95, **resolution)
    else:
        path = path.with_suffix(".png")
        image.save(path, "PNG", **resolution)
    return path


def _product(path: Path) -> tuple[str, bool, float]:
    from report_pipeline.extraction.ocr import image_features

    started = time.perf_counter()
    features = image_features(path.read_bytes())
    return features["ocr_text"], features["no_text_found"], time.perf_counter() - started


def _plain(path: Path) -> tuple[str, float]:
    started = time.perf_counter()
    out = subprocess.run(["tesseract", str(path), "-"], capture_output=True, text=True)
    return out.stdout, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--classes", nargs="+", choices=list(CLASSES), default=list(CLASSES))
    parser.add_argument(
        "--file-dpi",
        action="store_true",
        help="write each page's resolution into its PNG/JPEG (default: none, tesseract guesses)",
    )
    args = parser.parse_args()
    if not rp.tools_present() or not rp.available_pdfs():
        raise SystemExit("needs poppler-utils and Debian doc PDFs: run `make bench`")
    print(machine_info())
    print("resolution written into PNG/JPEG files:", "yes" if args.file_dpi else "no")
    workdir = Path(tempfile.mkdtemp(prefix="bench-hard-scans-"))
    pages = rp.text_pages(args.pages, workdir=workdir)
    print("corpus: " + ", ".join(f"{pdf.name} p{page}" for pdf, page, _ in pages))
    print(f"{'class':15s} {'product':>8s} {'min':>6s} {'plain':>7s} {'s/page':>7s} {'plain s':>8s}")
    recalls: dict[str, tuple[float, float]] = {}
    for name in args.classes:
        dpi, degrade = CLASSES[name]
        ours, theirs, secs, plain_secs = [], [], [], []
        for number, (pdf, page, truth) in enumerate(pages):
            path = _save(
                degrade(rp.render(pdf, page, dpi)),
                workdir / f"{name}-{number}",
                dpi if args.file_dpi and name != "phone-photo" else None,
            )
            text, _, seconds = _product(path)
            plain, plain_seconds = _plain(path)
            ours.append(rp.recall(truth, text))
            theirs.append(rp.recall(truth, plain))
            secs.append(seconds)
            plain_secs.append(plain_seconds)
        recalls[name] = (sum(ours) / len(ours), sum(theirs) / len(theirs))
        print(
            f"{name:15s} {recalls[name][0]:8.4f} {min(ours):6.3f} {recalls[name][1]:7.4f}"
            f" {sum(secs) / len(secs):7.2f} {sum(plain_secs) / len(plain_secs):8.2f}  "
            + " ".join(f"{a:.3f}/{b:.3f}" for a, b in zip(ours, theirs, strict=True))
        )
    _no_text(workdir)
    _targets(recalls)


def _no_text(workdir: Path) -> None:
    import skimage.data

    found = 0
    for name in NO_TEXT_PHOTOS:
        pixels = getattr(skimage.data, name)()
        path = _save(Image.fromarray(pixels), workdir / f"photo-{name}")
        text, no_text, seconds = _product(path)
        plain, _ = _plain(path)
        found += no_text
        print(
            f"photo {name:10s} no_text_found={no_text} ({len(rp.words(text))} words),"
            f" plain tesseract {len(rp.words(plain))} junk words, {seconds:.2f} s"
        )
    print(f"photos without text: {found}/{len(NO_TEXT_PHOTOS)} 'no text found'")


def _targets(recalls: dict[str, tuple[float, float]]) -> None:
    floors = {"phone-photo": 0.90, "fax-204x196": 0.93, "fax-204x98": 0.93, "clean-300dpi": 0.99}
    for name, (ours, plain) in recalls.items():
        verdict = "met" if ours >= plain else "NOT met"
        print(f"target {name} >= plain tesseract: {ours:.4f} vs {plain:.4f} {verdict}")
        if name in floors:
            met = "met" if ours >= floors[name] else "NOT met"
            print(f"target {name} >= {floors[name]}: {ours:.3f} {met}")
    if "rot-180" in recalls and "upright-200dpi" in recalls:
        share = recalls["rot-180"][0] / max(recalls["upright-200dpi"][0], 1e-9)
        verdict = "met" if share >= 0.97 else "NOT met"
        print(f"target rot-180 >= 0.97x upright: {share:.3f}x {verdict}")


if __name__ == "__main__":
    main()
