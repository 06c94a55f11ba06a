"""The de-identification filter against a Faker corpus of patient identifiers."""

from __future__ import annotations

from report_pipeline.deid import is_showable_term, sanitize_reason, showable_terms, vocabulary
from report_pipeline.extraction.terms import top_terms, words
from report_pipeline_tests.deid.corpus import identifier_tokens, make_notes


def test_filter_removes_every_identifier_token_of_the_corpus() -> None:
    notes = make_notes(900)  # 100 notes of each of nine locales
    tokens = identifier_tokens(notes)
    passed = sorted(t for t in tokens if is_showable_term(t))
    recall = 1 - len(passed) / len(tokens)
    print(f"identifier tokens: {len(tokens)}, passed the filter: {len(passed)}, recall: {recall}")
    assert passed == [] and recall == 1.0


def test_terms_of_the_notes_keep_the_clinical_words_and_no_identifier() -> None:
    notes = make_notes(180)
    tokens = identifier_tokens(notes)
    terms = {term for note in notes for term, _ in top_terms(note.text, n=50)}
    assert not terms & tokens
    assert {"chest", "pain", "insulin", "rash", "fracture", "fever"} <= terms


def test_names_dates_numbers_and_addresses_are_never_shown() -> None:
    for term in (
        "okonkwo",
        "Smith",
        "john",
        "march",
        "dob",
        "mrn",
        "1957",
        "03/14/1957",
        "555-0134",
        "ann@example.com",
        "example.com",
        "https://x.org",
        "94103",
        "a1b2",
        "Woodville",
        "springfield",
        "",
        "ab",
    ):
        assert not is_showable_term(term), term
    for term in ("patient", "Pressure", "insulin", "rash", "head"):
        assert is_showable_term(term), term


def test_showable_terms_keeps_order_and_counts() -> None:
    pairs = [("nausea", 5), ("schmidt", 4), ("fatigue", 3), ("4821937", 2), (None, 1)]
    assert showable_terms(pairs) == [("nausea", 5), ("fatigue", 3)]


def test_reasons_lose_content_keys_file_names_and_numbers() -> None:
    cases = [
        (
            "UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f>",
            "UnidentifiedImageError: cannot identify image file [redacted]",
        ),
        (
            "no result (listing error: s3://bucket/acme/okonkwo-discharge.png AccessDenied)",
            "no result (listing error: [redacted] AccessDenied)",
        ),
        ("ValueError: invalid literal: 'Chidi Okonkwo'", "ValueError: invalid literal: [redacted]"),
        (
            "ValueError: patient John Smith DOB 03/04/1950 at ann@example.com",
            "ValueError: patient [redacted] at [redacted]",
        ),
        ("decode: truncated PNG", "decode: truncated PNG"),
    ]
    for reason, expected in cases:
        assert sanitize_reason(reason) == expected
    assert sanitize_reason(None) == "[redacted]"


def test_bad_input_identifiers_only_other_language_and_ocr_noise() -> None:
    only_ids = "John Smith 03/14/1957 MRN 4821937 555-867-5309 ann@example.com 94103"
    foreign = "Der Patient klagt über Kopfschmerzen und Übelkeit seit drei Tagen."
    noise = "|l1 0O8 ;:: 4a5b ~~ x9x9 rn3 Ih1s 1s n0ise --- 12/3"
    assert top_terms(only_ids) == []
    assert {t for t, _ in top_terms(foreign)} <= {"patient", "über"}  # common words only
    assert top_terms(noise) == []


def test_vocabulary_is_letters_only_and_lower_case() -> None:
    allowed = vocabulary()
    assert len(allowed) > 25_000
    assert all(word == word.lower() and words(word) == [word] for word in allowed)
