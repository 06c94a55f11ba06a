"""Deterministic, fictional sample documents for the demo command and tests.

Nothing here is real patient data: names, sites and values come from seeded
random choices over small made-up vocabularies.
"""

from __future__ import annotations

import io
import os
import random
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CUSTOMERS = ("acme-trials", "northwind-health", "globex-research")

# --- text -------------------------------------------------------------------

_ADJ = ("mild", "moderate", "transient", "intermittent", "persistent")
_SYMPTOMS = (
    "headache",
    "nausea",
    "fatigue",
    "dizziness",
    "rash",
    "insomnia",
    "joint pain",
    "cough",
    "itching at the injection site",
    "loss of appetite",
    "back pain",
)
_DRUGS = ("study drug", "investigational product", "placebo tablets", "open-label extension dose")
_LABS = {  # name: (low, high, unit) of plausible values
    "haemoglobin": (10.5, 16.5, "g/dL"),
    "platelet count": (120, 420, "10^9/L"),
    "ALT": (8, 70, "U/L"),
    "AST": (10, 60, "U/L"),
    "creatinine": (50, 120, "umol/L"),
    "fasting glucose": (3.8, 7.5, "mmol/L"),
    "potassium": (3.3, 5.3, "mmol/L"),
    "sodium": (132, 147, "mmol/L"),
    "white cell count": (3.5, 11.5, "10^9/L"),
    "HbA1c": (4.8, 8.2, "%"),
}
_OUTCOMES = (
    "resolved without sequelae",
    "resolving",
    "ongoing at the time of this report",
    "resolved after symptomatic treatment",
)

# Sentence templates; slots are filled by _slots() so every note differs.
_HISTORY = (
    "Since the last visit the subject described {adj} {symptom} lasting about {days} days.",
    "The subject mentioned {adj} {symptom} that started {days} days after the last dose.",
    "According to the diary card, {symptom} occurred on {days} occasions, always {adj}.",
    "The caregiver reported {adj} {symptom} in the evenings during the past {days} days.",
    "No new complaints were reported apart from {adj} {symptom}.",
)
_ACTIONS = (
    "No action was taken with the {drug}.",
    "The dose was interrupted for {days} days and then resumed.",
    "The investigator reduced the dose as allowed by the protocol.",
    "Concomitant paracetamol was recorded in the medication log.",
    "The subject was advised to keep a symptom diary until the next visit.",
    "Drug accountability showed {pills} tablets returned, consistent with good compliance.",
)
_EXAM = (
    "Vital signs were within normal limits: blood pressure {sys}/{dia} mmHg, "
    "heart rate {hr} bpm, temperature {temp} C.",
    "Weight was {weight} kg, unchanged from the screening visit.",
    "Physical examination showed no new findings.",
    "An electrocardiogram was recorded and read as normal sinus rhythm.",
    "The injection site was inspected and showed {adj} redness of {mm} mm.",
)
_PLAN = (
    "Next visit in {weeks} weeks.",
    "Repeat laboratory tests were ordered for the next visit.",
    "The subject was reminded to bring the diary card and all unused medication.",
    "The monitor will review source documents at the next site visit.",
    "Follow-up by telephone is planned in {days} days.",
)


def _slots(rng: random.Random) -> dict[str, object]:
    return {
        "adj": rng.choice(_ADJ),
        "symptom": rng.choice(_SYMPTOMS),
        "drug": rng.choice(_DRUGS),
        "days": rng.randint(2, 9),
        "pills": rng.randint(0, 6),
        "weeks": rng.choice((2, 4, 6)),
        "sys": rng.randint(105, 145),
        "dia": rng.randint(65, 92),
        "hr": rng.randint(58, 96),
        "temp": f"{rng.uniform(36.1, 37.6):.1f}",
        "weight": f"{rng.uniform(52, 104):.1f}",
        "mm": rng.randint(3, 25),
    }


def _say(rng: random.Random, templates: tuple[str, ...], count: int) -> str:
    return " ".join(t.format(**_slots(rng)) for t in rng.sample(templates, count))


def clinical_note_text(seed: int = 0) -> str:
    """A fictional clinical-trial note (visit, adverse event or lab summary).

    Between 80 and 400 words; the same seed always gives the same note.
    """
    rng = random.Random(seed)
    writer = rng.choice((_visit_note, _adverse_event_report, _lab_summary))
    lines = writer(rng)
    while sum(len(line.split()) for line in lines) < 80:
        lines.append("Comment: " + _say(rng, _PLAN + _ACTIONS, 2))
    return "\n".join(lines) + "\n"


def _header(rng: random.Random, title: str) -> list[str]:
    trial = f"TRIAL-{rng.randint(100, 999)}"
    subject = f"{rng.randint(1, 40):02d}-{rng.randint(1, 250):03d}"
    return [title, f"Trial: {trial}   Site: {rng.randint(1, 40):02d}   Subject: {subject}", ""]


def _visit_note(rng: random.Random) -> list[str]:
    visit = rng.randint(2, 12)
    return _header(rng, f"Visit note - week {visit * 2}") + [
        f"The subject attended visit {visit} as scheduled. " + _say(rng, _EXAM, 3),
        _say(rng, _HISTORY, rng.randint(1, 3)) + " " + _say(rng, _ACTIONS, 2),
        "Plan: " + _say(rng, _PLAN, rng.randint(2, 3)),
    ]


def _adverse_event_report(rng: random.Random) -> list[str]:
    serious = rng.random() < 0.25
    lines = _header(rng, "Adverse event report") + [
        f"Event: {rng.choice(_ADJ)} {rng.choice(_SYMPTOMS)}. Onset {rng.randint(1, 60)} days "
        f"after the first dose of the {rng.choice(_DRUGS)}. Seriousness: "
        f"{'serious, hospitalisation required' if serious else 'non-serious'}.",
        f"Severity was graded {rng.randint(1, 3)} on the common terminology scale. "
        "Relationship to study treatment was judged "
        f"{rng.choice(('unlikely', 'possible', 'probable'))} by the investigator. "
        + _say(rng, _ACTIONS, 2),
        _say(rng, _HISTORY, 1) + " " + _say(rng, _EXAM, 2),
    ]
    if serious:
        lines.append(
            "The sponsor safety desk was notified within 24 hours and a follow-up "
            "report will be sent once the discharge summary is available."
        )
    return lines + [f"Outcome: {rng.choice(_OUTCOMES)}."]


def _lab_summary(rng: random.Random) -> list[str]:
    lines = _header(rng, "Laboratory summary")
    for lab in rng.sample(sorted(_LABS), rng.randint(4, 8)):
        low, high, unit = _LABS[lab]
        flag = rng.choice(
            (
                "within the reference range",
                "within the reference range",
                "slightly above the reference range",
                "slightly below the reference range",
            )
        )
        lines.append(f"- {lab}: {rng.uniform(low, high):.1f} {unit}, {flag}.")
    return lines + [
        "",
        "No result was considered clinically significant by the investigator. "
        f"Samples were analysed by the central laboratory {rng.randint(1, 4)} days "
        "after collection. " + _say(rng, _PLAN, 2),
    ]


_PAGE_SENTENCES = (
    "The patient arrived early for the morning visit and brought the signed consent form.",
    "Blood samples were taken before breakfast and sent to the central laboratory.",
    "The nurse checked the blood pressure twice because the first reading was high.",
    "The doctor explained the study schedule and answered every question about the tablets.",
    "No serious problems were reported during the first month of treatment.",
    "The patient described a mild headache that went away after a short rest.",
    "All medicines taken at home were written in the diary with the correct dates.",
    "The next appointment was booked for the second week of the following month.",
    "The research team reviewed the results together and agreed to continue the study.",
    "A small rash on the left arm was photographed and measured with a ruler.",
    "The pharmacy returned the unused capsules and counted them against the records.",
    "The weather was cold, so the clinic opened the waiting room an hour earlier.",
    "The patient reported better sleep and more energy than at the previous visit.",
    "Every form was checked by the study coordinator before it was filed.",
)


def page_text(seed: int = 0, words: int = 60) -> str:
    """Exactly ``words`` words of plain English with a clinical flavour."""
    rng = random.Random(seed)
    chosen: list[str] = []
    while len(chosen) < words:
        chosen.extend(rng.choice(_PAGE_SENTENCES).split())
    text = " ".join(chosen[:words])
    return text if text.endswith(".") else text.rstrip(",") + "."


# --- images -----------------------------------------------------------------

PAGE_WIDTH = 1240  # A4 at 150 dpi


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # The DejaVu Sans the report embeds (report/dejavu, the bytes matplotlib ships).
    path = os.path.join(os.path.dirname(__file__), "..", "report", "dejavu", "DejaVuSans.ttf")
    return ImageFont.truetype(path, size)


def scanned_page_png(
    text: str, *, degraded: bool = False, seed: int = 0, width: int = PAGE_WIDTH
) -> bytes:
    """PNG of ``text`` typed on a page; ``degraded`` mimics a poor office scan.

    The page is A4-proportioned (about 13 pt text at 150 dpi for the default
    width) but only as tall as the text needs, so OCR on samples stays quick.
    Text longer than a page makes the page taller rather than being cut.
    """
    page = _render_page(text, width)
    if degraded:
        page = _degrade(page, seed)
    return _encode(page, "PNG")


def _render_page(text: str, width: int) -> Image.Image:
    scale = width / PAGE_WIDTH
    font = _font(max(8, round(27 * scale)))
    margin = round(110 * scale)
    line_height = round(27 * scale * 1.45)
    lines = _wrap(text, font, width - 2 * margin)
    height = 2 * margin + line_height * len(lines)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * line_height), line, fill=0, font=font)
    return page


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _degrade(page: Image.Image, seed: int) -> Image.Image:
    """Low resolution, a shadow across the page, grey ink, noise and blur."""
    rng = np.random.default_rng(seed)
    small = page.resize(
        (round(page.width * 0.45), round(page.height * 0.45)), Image.Resampling.BILINEAR
    )
    small = small.filter(ImageFilter.GaussianBlur(0.6))
    pixels = np.asarray(small, np.float32) / 255.0
    ink, paper = 35.0, 250.0
    pixels = ink + pixels * (paper - ink)  # scanners never give pure black/white
    pixels *= _lighting(small.size, rng)
    pixels += rng.normal(0, 7, pixels.shape)
    degraded = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    # One JPEG round trip adds the block artefacts of scanner firmware.
    return Image.open(io.BytesIO(_encode(degraded, "JPEG", quality=75)))


def _lighting(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Brightness factor: bright on one side, down to ~45% on the other."""
    width, height = size
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    if rng.random() < 0.5:
        x = 1.0 - x  # the shadow falls on either side
    gradient = 1.0 - 0.5 * x**1.3
    vignette = 1.0 - 0.12 * (y**2 + (2 * x - 1) ** 2)
    return gradient * vignette


def photo_jpeg(seed: int = 0, size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo-like JPEG without any text: a sky gradient with soft blobs."""
    rng = random.Random(seed)
    width, height = size
    top = np.array([rng.randint(60, 200) for _ in range(3)], np.float32)
    bottom = np.array([rng.randint(20, 160) for _ in range(3)], np.float32)
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    pixels = np.broadcast_to(top + (bottom - top) * t, (height, width, 3))
    image = Image.fromarray(pixels.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(5, 12)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(min(size) // 12, min(size) // 3)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(min(size) / 40))
    noise = np.random.default_rng(seed).normal(0, 4, (height, width, 3))
    noisy = np.clip(np.asarray(image, np.float32) + noise, 0, 255).astype(np.uint8)
    return _encode(Image.fromarray(noisy, "RGB"), "JPEG", quality=85)


def broken_png() -> bytes:
    """A PNG whose header is valid but whose pixel data stops half way."""
    whole = scanned_page_png(page_text(seed=99, words=30), width=620)
    return whole[: len(whole) // 2]


def _encode(image: Image.Image, fmt: str, **options: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# --- a week of documents ----------------------------------------------------


@dataclass
class SampleDocument:
    """One generated upload, with the text OCR/decoding should find (if any)."""

    filename: str
    customer_id: str
    content_type: str
    created_at: datetime
    data: bytes
    expected_text: str | None


def sample_week(week_start: date, *, seed: int = 7) -> list[SampleDocument]:
    """41 documents for three customers spread over the seven days of a week.

    22 text notes (one Latin-1, one markdown, one CSV), 12 scanned pages (half
    degraded), 6 photos without text and exactly one truncated PNG.
    """
    rng = random.Random(seed)
    docs = _text_documents(rng) + _scan_documents(rng) + _photo_documents(rng)
    docs.append(("scan-broken-001.png", "image/png", broken_png(), None))
    start = datetime.combine(week_start, time(0), tzinfo=UTC)
    days = [i % 7 for i in range(len(docs))]
    rng.shuffle(days)
    return [
        SampleDocument(
            filename=name,
            customer_id=CUSTOMERS[i % len(CUSTOMERS)],
            content_type=ctype,
            created_at=start + timedelta(days=day, seconds=rng.randrange(86_400)),
            data=data,
            expected_text=expected,
        )
        for i, ((name, ctype, data, expected), day) in enumerate(zip(docs, days, strict=False))
    ]


_Doc = tuple[str, str, bytes, str | None]


def _text_documents(rng: random.Random) -> list[_Doc]:
    docs: list[_Doc] = []
    for i in range(1, 20):
        note = clinical_note_text(rng.randrange(1_000_000))
        docs.append((f"note-{i:03d}.txt", "text/plain", note.encode("utf-8"), note))
    latin = _latin1_note()
    docs.append(("note-020-latin1.txt", "text/plain", latin.encode("latin-1"), latin))
    md = "# Monitoring visit summary\n\n" + clinical_note_text(rng.randrange(1_000_000))
    docs.append(("monitoring-021.md", "text/markdown", md.encode("utf-8"), md))
    csv = _lab_csv(rng)
    docs.append(("labs-022.csv", "text/csv", csv.encode("utf-8"), csv))
    return docs


def _latin1_note() -> str:
    return textwrap.dedent(
        """\
        Note de visite - centre de Besançon
        Le sujet a présenté une légère céphalée après la deuxième dose.
        Température mesurée à 37,8 °C; aucune réaction cutanée à l'injection.
        Traitement poursuivi sans modification. Prochaine visite prévue à la
        semaine 12. Résumé validé par l'investigateur, Dr Müller.
        """
    )


def _lab_csv(rng: random.Random) -> str:
    rows = ["subject,test,value,unit,flag"]
    for _ in range(12):
        lab = rng.choice(sorted(_LABS))
        low, high, unit = _LABS[lab]
        rows.append(
            f"{rng.randint(1, 40):02d}-{rng.randint(1, 250):03d},{lab},"
            f"{rng.uniform(low, high):.1f},{unit},{rng.choice(('N', 'N', 'H', 'L'))}"
        )
    return "\n".join(rows) + "\n"


def _scan_documents(rng: random.Random) -> list[_Doc]:
    docs: list[_Doc] = []
    for i in range(1, 13):
        text = page_text(rng.randrange(1_000_000), words=rng.randint(40, 80))
        degraded = i % 2 == 0
        data = scanned_page_png(text, degraded=degraded, seed=i)
        label = "scan-poor" if degraded else "scan"
        docs.append((f"{label}-{i:03d}.png", "image/png", data, text))
    return docs


def _photo_documents(rng: random.Random) -> list[_Doc]:
    return [
        (f"photo-{i:03d}.jpg", "image/jpeg", photo_jpeg(rng.randrange(1_000_000)), None)
        for i in range(1, 7)
    ]
