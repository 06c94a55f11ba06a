from report_pipeline.extraction.terms import top_terms


def test_counts_sorted_by_frequency_then_alphabetically() -> None:
    text = "Nausea nausea NAUSEA fatigue fatigue rash dizziness"
    assert top_terms(text) == [["nausea", 3], ["fatigue", 2], ["dizziness", 1], ["rash", 1]]


def test_stop_words_short_words_and_numbers_are_ignored() -> None:
    text = "The patient and the nurse: BP 120/80, at 9am, on day 3 of the trial."
    terms = [term for term, _ in top_terms(text)]
    assert terms == ["day", "nurse", "patient", "trial"]


def test_limits_to_n_terms() -> None:
    text = "alpha beta gamma delta epsilon alpha beta alpha"
    assert top_terms(text, n=2) == [["alpha", 3], ["beta", 2]]


def test_accented_words_are_kept_whole() -> None:
    assert top_terms("réaction légère, réaction") == [["réaction", 2], ["légère", 1]]


def test_empty_text_has_no_terms() -> None:
    assert top_terms("") == []
