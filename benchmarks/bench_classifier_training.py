"""Train the document-type model on N labeled documents written with Faker over the default types.

Usage: python benchmarks/bench_classifier_training.py [--documents 5000] [--holdout 1000]
Prints the training time (target ≤ 30 s for 5,000 documents, issue 27), the same run's
baseline (the rules classifying those documents), the model's size, its load and
per-document prediction time and its accuracy on documents it did not learn. The last
line, ``ratio: X.XX``, is the training time over the 30 s target.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faker import Faker  # noqa: E402

from benchmarks._common import machine_info  # noqa: E402
from report_pipeline.classify import (  # noqa: E402
    Classifier,
    classify_text,
    load_taxonomy,
    model_from_bytes,
    model_version,
    train_model,
)

TARGET_SECONDS = 30.0
# The openings of each default type; Faker fills names, dates, places and prose around them.
OPENINGS = {
    "lab_result": [
        "LABORATORY REPORT",
        "Specimen collected: {date}",
        "Test Result Units Reference Range",
        "Hemoglobin {n}.{m} g/dL",
        "Creatinine 0.{m} mg/dL",
    ],
    "consent_form": [
        "INFORMED CONSENT FORM",
        "Your participation is voluntary.",
        "You may withdraw from the study at any time.",
        "Signature of participant",
    ],
    "adverse_event_report": [
        "MEDWATCH FDA Form 3500",
        "Adverse event or product problem",
        "Date of onset: {date}",
        "Outcome: hospitalization",
        "Serious adverse event",
    ],
    "discharge_letter": [
        "DISCHARGE SUMMARY",
        "Date of admission: {date}",
        "Date of discharge: {date}",
        "Discharge diagnosis:",
        "Follow-up with the general practitioner.",
    ],
    "medication_list": [
        "Medication list",
        "Current medications:",
        "{drug} {n}0 mg tablet twice daily",
        "Prescriber: Dr. {name}",
        "Refills: {n}",
    ],
    "imaging_report": [
        "RADIOLOGY REPORT",
        "Exam: CT scan of the chest",
        "Technique: axial images",
        "Findings:",
        "Impression:",
    ],
    "visit_note": [
        "Progress note - study visit {n}",
        "Chief complaint:",
        "Vital signs: blood pressure",
        "Assessment and plan:",
        "Next visit in {n} weeks.",
    ],
    "fax_correspondence": [
        "FAX COVER SHEET",
        "To: Site {n}{m}  From: {company}",
        "Number of pages (including cover): {n}",
        "CONFIDENTIALITY NOTICE",
    ],
    "invoice_administrative": [
        "INVOICE",
        "Invoice number: {n}{m}{n}",
        "Per patient fee, visit {n}",
        "Amount due: {n}{m}0.00 EUR",
        "Payment within 30 days.",
    ],
}
DRUGS = ["Metformin", "Lisinopril", "Atorvastatin", "Amlodipine", "Omeprazole", "Sertraline"]


def document(fake: Faker, rng: random.Random, doc_type: str) -> str:
    """A document of the type: some of its openings in order, Faker prose and people around."""
    values = {
        "date": fake.date(),
        "n": rng.randint(1, 9),
        "m": rng.randint(0, 9),
        "name": fake.last_name(),
        "drug": rng.choice(DRUGS),
        "company": fake.company(),
    }
    openings = OPENINGS[doc_type]
    kept = [line for line in openings if rng.random() < 0.7] or openings[:1]
    lines = [line.format(**values) for line in kept]
    lines.insert(1, f"Patient: {fake.name()}  DOB: {fake.date_of_birth()}  Site: {fake.city()}")
    lines += [fake.paragraph(nb_sentences=rng.randint(3, 8)) for _ in range(rng.randint(2, 6))]
    return "\n".join(lines)


def corpus(count: int, seed: int) -> list[tuple[str, str]]:
    fake, rng = Faker(["en_US", "en_GB", "de_DE"]), random.Random(seed)
    fake.seed_instance(seed)
    types = sorted(OPENINGS)
    return [
        (document(fake, rng, types[i % len(types)]), types[i % len(types)]) for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--holdout", type=int, default=1000)
    args = parser.parse_args()
    print(machine_info())
    taxonomy = load_taxonomy()
    started = time.perf_counter()
    examples = corpus(args.documents, seed=1)
    unseen = corpus(args.holdout, seed=2)
    corpus_seconds = time.perf_counter() - started
    print(f"corpus: {args.documents} + {args.holdout} documents in {corpus_seconds:.1f} s")

    started = time.perf_counter()
    for text, _ in examples:
        classify_text(text, taxonomy)
    rules_seconds = time.perf_counter() - started

    labels = [(f"doc-{i}", kind) for i, (_, kind) in enumerate(examples)]
    started = time.perf_counter()
    model = train_model(examples, taxonomy, model_version(labels, taxonomy))
    training_seconds = time.perf_counter() - started
    data = model.to_bytes()
    started = time.perf_counter()
    loaded = model_from_bytes(data)
    load_seconds = time.perf_counter() - started

    classifier = Classifier(taxonomy, loaded)
    started = time.perf_counter()
    answers = [classifier.classify_text(text) for text, _ in unseen]
    predict_seconds = time.perf_counter() - started
    model_right = sum(
        a["model"]["type"] == kind for a, (_, kind) in zip(answers, unseen, strict=True)
    )
    rules_right = sum(classify_text(text, taxonomy)["type"] == kind for text, kind in unseen)
    share = training_seconds / rules_seconds
    per_document_ms = predict_seconds / len(unseen) * 1000
    terms = len(loaded.vectorizer.vocabulary_)
    print(f"training on {args.documents} labeled documents: {training_seconds:.2f} s")
    print(f"target: ≤ {TARGET_SECONDS:g} s")
    print(f"baseline, the rules typing the same documents: {rules_seconds:.2f} s ({share:.1f}x)")
    print(f"model: {len(data) / 1e6:.2f} MB, {terms} terms, loaded in {load_seconds * 1e3:.0f} ms")
    print(f"typing a document (rules + model): {per_document_ms:.2f} ms")
    print(
        f"accuracy on {len(unseen)} unseen documents: model {model_right / len(unseen):.3f},"
        f" rules {rules_right / len(unseen):.3f}"
    )
    print(f"ratio: {training_seconds / TARGET_SECONDS:.2f}")


if __name__ == "__main__":
    main()
