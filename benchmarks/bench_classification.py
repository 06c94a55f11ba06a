"""Document-type classification: macro-F1 on text and on OCR'd scans, and its CPU cost.

The labeled set (benchmarks/classification_set.py, generated at run time): real form
and letter layouts - FDA MedWatch 3500/3500A and CIOMS I, CMS-1500 and CMS-R-131 (ABN),
the CMS Part D personal medication list and the German Medikationsplan, 45 CFR 46.116
consent elements, CLIA lab report elements, ACR imaging report sections, Joint
Commission discharge summary elements and the German Arztbrief, SOAP notes, fax covers
and letters - in English, German, French and Spanish, filled with Faker (patients,
dates, sites, doctors, money), real drug and analyte names; "other" is real prose
pages of the PDF manuals Debian ships (bzip2-doc, libtasn1-doc, ...). See that
module's docstring for the list.

Half the set goes through the product as text/plain; the other half is typed onto a
page (Pillow, DejaVu Sans), mildly degraded like an office scan (slight skew, blur,
grey ink, noise, JPEG) and read through the product's OCR path (extract(), the
configured engine). The classifier sees what extraction kept (text_of(features)).

Cost: the documents of a small mixed week (bench_mixed_week.build_week: text-layer
PDFs, scanned PDFs, photos, notes) are extracted in this run, CPU per document
measured (process + child CPU: the tesseract CLI runs as a child); classification
CPU per document over the same features. Share = classification / extraction.

`evaluate(classify_fn, docs)` takes any text -> type function, so a learned model can
be measured on the same set.

Held out: the taxonomy's phrases were tuned on that set, so its F1 flatters. A second
set (benchmarks/classification_heldout.py: other real forms and letters, other
phrasing, other drugs and analytes, another Faker seed; written without reading the
taxonomy, never tuned on) is measured the same way, half text, half OCR'd: by the
rules, and by the rules with a model trained on the first set's labels (what a
deployment that labeled 200 documents runs); as a diagnostic, also by that model alone
(its most probable type, no rules and no threshold).

Development set: `--set dev` measures only benchmarks/classification_dev.py (other real
kinds of each type than the tuning set: pathology and microbiology reports, ICSRs and
SAE narratives, transfer summaries, dispensing records, nuclear medicine and echo
reports, e-mails, purchase orders, ...; seed 31), half text, half OCR'd. It is what the
taxonomy is developed against, so that the held-out set stays unseen. `--texts DIR`
keeps the extracted texts of a set there (one JSON file per set, count and seed), so a
change of the taxonomy is re-scored without OCR'ing the pages again.

Usage: python benchmarks/bench_classification.py [--set tuning|dev] [--documents N]
    [--seed S] [--held-out N] [--held-out-seed S] [--dev N] [--dev-seed S] [--texts DIR]
    [--week-text-pages N] [--week-scanned-pages N] [--week-notes N]
Targets: macro-F1 >= 0.90 on text, >= 0.85 on OCR'd pages; cost share <= 3%.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from _common import isolated_home, machine_info

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from classification_dev import DEV_SEED, build_dev  # noqa: E402
from classification_heldout import HELD_OUT_SEED, build_held_out  # noqa: E402
from classification_set import TYPES, Doc, build  # noqa: E402


@dataclass(frozen=True)
class Evaluation:
    macro_f1: float
    accuracy: float
    f1: dict[str, float]
    confusion: dict[tuple[str, str], int]  # (true, predicted) -> count
    labels: tuple[str, ...]


def evaluate(classify_fn: Callable[[str], str], docs: Sequence[Doc]) -> Evaluation:
    """Macro-F1 over the true types of ``docs``; classify_fn maps a text to a type key."""
    confusion: dict[tuple[str, str], int] = {}
    for doc in docs:
        pair = (doc.label, classify_fn(doc.text))
        confusion[pair] = confusion.get(pair, 0) + 1
    labels = tuple(dict.fromkeys([*TYPES, *(p for _, p in confusion)]))
    f1 = {}
    for label in {doc.label for doc in docs}:
        hit = confusion.get((label, label), 0)
        predicted = sum(n for (_, p), n in confusion.items() if p == label)
        actual = sum(n for (t, _), n in confusion.items() if t == label)
        f1[label] = 2 * hit / (predicted + actual) if predicted + actual else 0.0
    right = sum(n for (t, p), n in confusion.items() if t == p)
    return Evaluation(
        macro_f1=sum(f1.values()) / len(f1) if f1 else 0.0,
        accuracy=right / len(docs) if docs else 0.0,
        f1=f1,
        confusion=confusion,
        labels=labels,
    )


def confusion_table(result: Evaluation) -> str:
    """The confusion matrix as a Markdown table: rows true type, columns predicted."""
    short = {label: label.split("_")[0][:8] for label in result.labels}
    lines = ["| true \\ predicted | " + " | ".join(short[p] for p in result.labels) + " | F1 |"]
    lines.append("|" + "---|" * (len(result.labels) + 2))
    for true in result.labels:
        if true not in result.f1:
            continue
        cells = [str(result.confusion.get((true, p), 0) or ".") for p in result.labels]
        lines.append(f"| {true} | " + " | ".join(cells) + f" | {result.f1[true]:.2f} |")
    return "\n".join(lines)


def rules_classifier() -> Callable[[str], str]:
    from report_pipeline.classify import classify_text, load_taxonomy

    taxonomy = load_taxonomy()
    return lambda text: classify_text(text, taxonomy)["type"]


def learned_classifier(labeled: Sequence[Doc]) -> Callable[[str], str]:
    """Rules and a model trained on ``labeled`` (their extracted text), as a run applies it."""
    from report_pipeline.classify import DEFAULT_THRESHOLD, Classifier, load_taxonomy, train_model

    taxonomy = load_taxonomy()
    model = train_model([(d.text, d.label) for d in labeled], taxonomy, "bench-tuning-set")
    classifier = Classifier(taxonomy, model, DEFAULT_THRESHOLD)
    return lambda text: classifier.classify_text(text)["type"]


def model_alone(labeled: Sequence[Doc]) -> Callable[[str], str]:
    """The model of ``labeled`` on its own, its most probable type (no rules, no threshold)."""
    from report_pipeline.classify import load_taxonomy, train_model

    model = train_model([(d.text, d.label) for d in labeled], load_taxonomy(), "bench-alone")
    return lambda text: model.predict(text)[0]


def held_out(args: argparse.Namespace, tuning: Sequence[Doc]) -> dict[str, Evaluation]:
    """Rules, and rules + a model trained on the tuning set, on the held-out set's halves."""
    docs = build_held_out(args.held_out, args.held_out_seed)
    half = len(docs) // 2
    text, ocr = through_product(docs[:half], False), through_product(docs[half:], True)
    rules, learned, alone = rules_classifier(), learned_classifier(tuning), model_alone(tuning)
    print(f"\nheld-out set: {len(docs)} documents, {len({d.layout for d in docs})} layouts")
    found = {
        "held-out text, rules": evaluate(rules, text),
        "held-out OCR'd scans, rules": evaluate(rules, ocr),
        "held-out text, rules + model of the tuning set": evaluate(learned, text),
        "held-out OCR'd scans, rules + model of the tuning set": evaluate(learned, ocr),
        # Diagnostic only: what the model knows below the threshold a run applies.
        "held-out text, the model alone (most probable type)": evaluate(alone, text),
        "held-out OCR'd scans, the model alone (most probable type)": evaluate(alone, ocr),
    }
    for name, result in found.items():
        report(name, result, half)
    return found


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _scan(text: str, seed: int) -> bytes:
    """The text typed on a page, then a mild office scan: skew, blur, grey ink, noise, JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    from report_pipeline.tooling.samples import scanned_page_png

    rng = np.random.default_rng(seed)
    page = Image.open(io.BytesIO(scanned_page_png(text, width=1654))).convert("L")  # 200 dpi
    page = page.rotate(rng.uniform(-1.5, 1.5), fillcolor=255, expand=True)
    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    pixels = 30 + np.asarray(page, np.float32) / 255.0 * 215 + rng.normal(0, 6, page.size[::-1])
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=70)
    return out.getvalue()


def _extracted(job: tuple[bytes, str, str]) -> tuple[str, float]:
    """What the product's extraction keeps of one file, as the classifier reads it; CPU s."""
    from report_pipeline.classify.rules import text_of
    from report_pipeline.extraction import extract

    data, name, content_type = job
    started = _cpu()
    _, features = extract(data, content_type, name)
    return text_of(features), _cpu() - started


def through_product(docs: list[Doc], scanned: bool) -> list[Doc]:
    """``docs`` with the text extraction gives: as text/plain, or scanned and OCR'd."""
    jobs = [
        (_scan(d.text, n), f"doc-{n}.jpg", "image/jpeg")
        if scanned
        else (d.text.encode(), f"doc-{n}.txt", "text/plain")
        for n, d in enumerate(docs)
    ]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        texts = [text for text, _ in pool.map(_extracted, jobs)]
    return [Doc(d.label, t, d.layout, d.language) for d, t in zip(docs, texts, strict=True)]


def extracted_halves(docs: list[Doc], texts: str | None, name: str) -> tuple[list[Doc], list[Doc]]:
    """The first half of ``docs`` as text, the second OCR'd; kept in ``texts`` if given."""
    half = len(docs) // 2
    cache = Path(texts) / f"{name}.json" if texts else None
    if cache and cache.is_file():
        kept = json.loads(cache.read_text())
        if [d["label"] for d in kept] == [d.label for d in docs]:
            found = [Doc(d["label"], d["text"], d["layout"], d["language"]) for d in kept]
            return found[:half], found[half:]
    found = through_product(docs[:half], False) + through_product(docs[half:], True)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([d.__dict__ for d in found]))
    return found[:half], found[half:]


def dev_set(args: argparse.Namespace) -> dict[str, Evaluation]:
    """The rules on the development set's halves: text, and OCR'd scans."""
    docs = build_dev(args.dev, args.dev_seed)
    text, ocr = extracted_halves(docs, args.texts, f"dev-{args.dev}-{args.dev_seed}")
    print(
        f"development set: {len(docs)} documents, {len({d.layout for d in docs})} layouts, "
        f"languages {sorted({d.language for d in docs})}"
    )
    rules = rules_classifier()
    found = {"dev text": evaluate(rules, text), "dev OCR'd scans": evaluate(rules, ocr)}
    for name, result in found.items():
        report(name, result, len(text))
    print("\n".join(f"macro-F1 {name}: {r.macro_f1:.3f}" for name, r in found.items()))
    return found


def cost_share(args: argparse.Namespace, directory: Path) -> tuple[float, float, int]:
    """(extraction CPU s per document, classification CPU s per document, documents)."""
    from bench_mixed_week import build_week

    from report_pipeline.classify import classify_text, load_taxonomy

    week = argparse.Namespace(
        text_pages=args.week_text_pages,
        scanned_pages=args.week_scanned_pages,
        pages_per_pdf=2,
        photos=args.week_photos,
        notes=args.week_notes,
    )
    documents = build_week(week, directory)
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        results = list(pool.map(_extracted, documents))
    extraction = sum(cpu for _, cpu in results) / len(results)
    taxonomy = load_taxonomy()
    rounds = 20
    started = time.process_time()
    for _ in range(rounds):
        for text, _ in results:
            classify_text(text, taxonomy)
    classification = (time.process_time() - started) / rounds / len(results)
    return extraction, classification, len(results)


def report(name: str, result: Evaluation, count: int) -> None:
    print(
        f"\n{name}: {count} documents, macro-F1 {result.macro_f1:.3f}, accuracy "
        f"{result.accuracy:.3f}"
    )
    print(confusion_table(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Small defaults: `make bench` finishes this in a few minutes on a shared machine.
    defaults = {"documents": 200, "seed": 27, "week-text-pages": 8, "week-scanned-pages": 4}
    defaults |= {"held-out": 200, "held-out-seed": HELD_OUT_SEED}
    defaults |= {"dev": 200, "dev-seed": DEV_SEED}
    for name, value in {**defaults, "week-photos": 2, "week-notes": 10}.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    parser.add_argument("--set", choices=("tuning", "dev"), default="tuning")
    parser.add_argument("--texts", help="a directory keeping the sets' extracted texts")
    args = parser.parse_args()
    print(machine_info())
    if args.set == "dev":
        dev_set(args)
        return
    home = isolated_home("bench-classify-")
    docs = build(args.documents, args.seed)
    half = len(docs) // 2
    classify = rules_classifier()
    tuning_text, tuning_ocr = extracted_halves(
        docs, args.texts, f"tuning-{args.documents}-{args.seed}"
    )
    tuning = tuning_text + tuning_ocr
    text, ocr = evaluate(classify, tuning[:half]), evaluate(classify, tuning[half:])
    layouts = sorted({d.layout for d in docs} - set(TYPES))
    print(
        f"set: {len(docs)} documents over {len(TYPES)} types, languages "
        f"{sorted({d.language for d in docs})}, extra layouts {layouts}"
    )
    report("text", text, half)
    report("OCR'd scans", ocr, len(docs) - half)
    unseen = held_out(args, tuning) if args.held_out else {}
    extraction, classification, week = cost_share(args, home)
    print(
        f"\nmixed week ({week} documents): extraction {extraction * 1000:.1f} ms CPU/doc, "
        f"classification {classification * 1000:.3f} ms CPU/doc"
    )
    summary = (
        ("macro-F1 text", f"{text.macro_f1:.3f}", ">= 0.90"),
        ("macro-F1 OCR", f"{ocr.macro_f1:.3f}", ">= 0.85"),
        ("cost share", f"{classification / extraction:.2%}", "<= 3%"),
        *((f"macro-F1 {name}", f"{r.macro_f1:.3f}", "report only") for name, r in unseen.items()),
    )
    print("\n".join(f"{name}: {value} (target {target})" for name, value, target in summary))
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
