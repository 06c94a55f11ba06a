import pytest
from PIL import Image

from report_pipeline.extraction import engines
from report_pipeline.extraction.engines import CliEngine, TesserocrEngine, find_tessdata, parse_tsv
from report_pipeline.settings import SettingsError, load_settings
from report_pipeline.tooling import samples


def test_library_tsv_rows_become_word_columns() -> None:
    tsv = (
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t10\t30\t12\t96.5\tMild\n"
        "5\t1\t1\t1\t2\t1\t10\t30\t30\t12\t91\trash\n"
    )
    table = parse_tsv(tsv)
    assert table["text"] == ["Mild", "rash"]
    assert table["conf"] == [96.5, 91.0]
    assert table["line_num"] == [1, 2]


def test_both_engines_read_the_same_words() -> None:
    text = "Adverse event reported by the site coordinator"
    image = Image.open(__import__("io").BytesIO(samples.scanned_page_png(text, width=800)))
    loaded = TesserocrEngine(find_tessdata()).word_table(image.convert("L"), 30)
    cli = CliEngine().word_table(image.convert("L"), 30)
    words = lambda table: [w for w in table["text"] if w.strip()]  # noqa: E731
    assert words(loaded) == words(cli) == text.split()


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("cli", "tesseract-cli"), ("tesserocr", "tesserocr"), ("auto", "tesserocr")],
)
def test_the_engine_is_chosen_by_environment(monkeypatch, choice: str, expected: str) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_OCR_ENGINE", choice)
    engines.use_engine(engines.engine_choice(load_settings()))
    try:
        assert engines.default_engine().name == expected
    finally:
        engines.use_engine(engines.EngineChoice())


def test_an_unknown_engine_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_OCR_ENGINE", "magic")
    with pytest.raises(SettingsError, match="use auto, tesserocr, cli or textract"):
        load_settings()
    with pytest.raises(ValueError, match="unknown OCR engine kind 'magic'"):
        engines.open_engine(engines.EngineChoice("magic"))
