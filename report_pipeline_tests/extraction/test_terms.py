from report_pipeline.extraction.terms import top_terms


def test_counts_sorted_by_frequency_then_alphabetically() -> None:
    text = "Nausea nausea NAUSEA fatigue fatigue rash dizziness"
    assert top_terms(text) == [["nausea", 3], ["fatigue", 2], ["dizziness", 1], ["rash", 1]]


def test_stop_words_short_words_and_numbers_are_ignored() -> None:
    text = "The patient and the nurse: BP 120/80, at 9am, on day 3 of the trial."
    terms = [term for term, _ in top_terms(text)]
    assert terms == ["nurse", "patient", "trial"]  # "day" is also a surname


def test_limits_to_n_terms() -> None:
    text = "alpha beta gamma delta epsilon alpha beta alpha"
    assert top_terms(text, n=2) == [["alpha", 3], ["beta", 2]]


def test_accented_words_are_kept_whole() -> None:
    assert top_terms("naïve café, café") == [["café", 2], ["naïve", 1]]


def test_names_identifiers_and_other_languages_are_not_counted() -> None:
    # Only common English words that are no personal name (report_pipeline.deid).
    text = (
        "Patient: Chidi Okonkwo, DOB 03/14/1957, MRN 4821937, seen by Dr. Smith "
        "at 12 Jennifer Street, Port Michaelton; réaction légère; rash"
    )
    assert top_terms(text) == [["patient", 1], ["port", 1], ["rash", 1], ["seen", 1]]


def test_empty_text_has_no_terms() -> None:
    assert top_terms("") == []
