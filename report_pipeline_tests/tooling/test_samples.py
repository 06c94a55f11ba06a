import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from PIL import Image

from report_pipeline.extraction.text import text_features
from report_pipeline.tooling import samples

WEEK = date(2024, 3, 4)


@pytest.fixture(scope="module")
def week() -> list[samples.SampleDocument]:
    return samples.sample_week(WEEK)


def loads(data: bytes) -> bool:
    try:
        Image.open(io.BytesIO(data)).load()
    except Exception:
        return False
    return True


def test_week_has_enough_documents_for_three_customers(week) -> None:
    assert len(week) >= 40
    assert {doc.customer_id for doc in week} == set(samples.CUSTOMERS)
    assert min(Counter(doc.customer_id for doc in week).values()) >= 10
    assert len({doc.filename for doc in week}) == len(week)


def test_week_dates_cover_every_day_inside_the_week(week) -> None:
    start = datetime(2024, 3, 4, tzinfo=UTC)
    for doc in week:
        assert doc.created_at.utcoffset() == timedelta(0)
        assert start <= doc.created_at < start + timedelta(days=7)
    assert len({doc.created_at.date() for doc in week}) == 7


def test_week_mixes_kinds_with_exactly_one_broken_file(week) -> None:
    images = [doc for doc in week if doc.content_type.startswith("image/")]
    texts = [doc for doc in week if doc.content_type.startswith("text/")]
    assert len(texts) >= 18
    assert sum(not loads(doc.data) for doc in images) == 1
    scans = [doc for doc in images if doc.expected_text]
    assert len(scans) >= 10
    assert all(40 <= len(doc.expected_text.split()) <= 80 for doc in scans)
    assert sum(doc.content_type == "image/jpeg" for doc in images) >= 5


def test_text_notes_decode_to_expected_text_with_one_latin1(week) -> None:
    texts = [doc for doc in week if doc.content_type.startswith("text/")]
    encodings = Counter()
    for doc in texts:
        features = text_features(doc.data)
        encodings[features["encoding"]] += 1
        assert features["excerpt"] == doc.expected_text[:2000]
    assert encodings == Counter({"utf-8": len(texts) - 1, "iso8859-1": 1})


def test_week_is_deterministic(week) -> None:
    again = samples.sample_week(WEEK)
    assert [(d.filename, d.created_at, d.data) for d in again] == [
        (d.filename, d.created_at, d.data) for d in week
    ]


def test_clinical_notes_are_varied_and_sized() -> None:
    notes = [samples.clinical_note_text(seed) for seed in range(60)]
    assert all(80 <= len(note.split()) <= 400 for note in notes)
    assert len(set(notes)) == 60
    titles = {note.splitlines()[0].split(" - ")[0] for note in notes}
    assert titles == {"Visit note", "Adverse event report", "Laboratory summary"}
    assert samples.clinical_note_text(5) == samples.clinical_note_text(5)


def test_page_text_has_exact_word_count() -> None:
    text = samples.page_text(seed=4, words=57)
    assert len(text.split()) == 57
    assert text.endswith(".")
    assert text == samples.page_text(seed=4, words=57)


def test_clean_page_is_a_150_dpi_page_fitted_to_the_text() -> None:
    image = Image.open(io.BytesIO(samples.scanned_page_png(samples.page_text(words=60))))
    assert image.format == "PNG"
    assert image.width == 1240
    assert 200 < image.height <= 1754
    assert set(np.unique(np.asarray(image.convert("L")))) >= {0, 255}


def test_degraded_page_is_small_and_unevenly_lit() -> None:
    data = samples.scanned_page_png(samples.page_text(words=60), degraded=True, seed=1)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert 500 < image.width < 600  # about 70 dpi
    pixels = np.asarray(image.convert("L"), np.float32)
    left, right = pixels[:, :40].mean(), pixels[:, -40:].mean()
    assert abs(left - right) > 60  # one side of the paper is grey
    assert np.asarray(image.convert("L")).max() < 255  # no pure white paper anywhere


def test_photo_is_a_jpeg_of_the_requested_size() -> None:
    image = Image.open(io.BytesIO(samples.photo_jpeg(seed=2, size=(320, 200))))
    assert (image.format, image.size, image.mode) == ("JPEG", (320, 200), "RGB")
    assert samples.photo_jpeg(seed=2) == samples.photo_jpeg(seed=2)


def test_broken_png_has_a_valid_header_but_cannot_load() -> None:
    data = samples.broken_png()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert not loads(data)
