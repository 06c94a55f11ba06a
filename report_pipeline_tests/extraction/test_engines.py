import io

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
    image = Image.open(io.BytesIO(samples.scanned_page_png(text, width=800)))
    loaded = TesserocrEngine(find_tessdata()).word_table(image.convert("L"), 30)
    cli = CliEngine().word_table(image.convert("L"), 30)
    words = lambda table: [w for w in table["text"] if w.strip()]  # noqa: E731
    assert words(loaded) == words(cli) == text.split()


def test_both_engines_read_a_page_told_its_resolution() -> None:
    text = "Adverse event reported by the site coordinator"
    image = Image.open(io.BytesIO(samples.scanned_page_png(text, width=800))).convert("L")
    image.info["dpi"] = (150, 150)  # the CLI gets it as --dpi, the library as its resolution
    for engine in (TesserocrEngine(find_tessdata()), CliEngine()):
        assert [w for w in engine.word_table(image, 30)["text"] if w.strip()] == text.split()


@pytest.mark.parametrize(
    ("info", "dpi"),
    [({"dpi": (200, 200)}, 200), ({"dpi": (204.0, 195.6)}, 196), ({}, None)]
    + [({"dpi": (30, 30)}, None), ({"dpi": (5000, 5000)}, None), ({"dpi": "x"}, None)],
)
def test_a_believable_resolution_is_passed_on_and_no_other(info: dict, dpi) -> None:
    image = Image.new("L", (10, 10), 255)
    image.info.update(info)
    assert engines.resolution_of(image) == dpi


@pytest.mark.parametrize(
    ("mode", "per_pixel", "per_line"), [("L", 1, 21), ("1", 0, 3), ("RGB", 3, 63)]
)
def test_raw_pixels_and_the_resolution_go_to_tesserocr(mode: str, per_pixel, per_line) -> None:
    class Api:
        def SetImageBytes(self, data, width, height, bytes_per_pixel, bytes_per_line):  # noqa: N802
            self.image = (len(data), width, height, bytes_per_pixel, bytes_per_line)

        def SetSourceResolution(self, dpi):  # noqa: N802
            self.dpi = dpi

    image = Image.new(mode, (21, 5), "white")
    image.info["dpi"] = (150, 150)
    api = Api()
    engines._set_pixels(api, image)
    assert api.image == (per_line * 5, 21, 5, per_pixel, per_line)
    assert api.dpi == 150


def test_the_loaded_engine_reads_the_pixels_whatever_file_they_came_from() -> None:
    # tesserocr's own SetImage re-encoded a JPEG page as a JPEG (lossy) and a PNG without
    # its resolution: the same pixels read differently by where they came from.
    text = "Adverse event reported by the site coordinator"
    page = Image.open(io.BytesIO(samples.scanned_page_png(text, width=800))).convert("L")
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=30)
    jpeg = Image.open(io.BytesIO(buffer.getvalue()))
    assert jpeg.format == "JPEG"
    engine = TesserocrEngine(find_tessdata())
    same_pixels = Image.frombytes("L", jpeg.size, jpeg.tobytes())
    assert engine.word_table(jpeg, 30) == engine.word_table(same_pixels, 30)


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
