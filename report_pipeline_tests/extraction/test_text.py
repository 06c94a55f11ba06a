import codecs
import random

import pytest

from report_pipeline.extraction.text import EXCERPT_CHARS, text_features
from report_pipeline.models import DocumentError

NOTE = (
    "Le patient a présenté une réaction légère à l'injection.\n"
    "Fièvre élevée, traitée à domicile. Dr Müller, Besançon.\n"
)


def test_counts_characters_words_and_lines() -> None:
    features = text_features(b"Visit one went well.\nNausea reported twice\n\nNo action.\n")
    assert features["encoding"] == "utf-8"
    assert features["characters"] == 55
    assert features["words"] == 9
    assert features["lines"] == 4
    assert features["top_terms"][0] == ["action", 1]
    assert features["excerpt"].startswith("Visit one went well.")


def test_excerpt_is_capped() -> None:
    features = text_features(("word " * 1000).encode())
    assert features["characters"] == 5000
    assert len(features["excerpt"]) == EXCERPT_CHARS


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NOTE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + NOTE.encode("utf-8"), "utf-8-sig"),
        (NOTE.encode("latin-1"), "iso8859-1"),
        (NOTE.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + NOTE.encode("utf-16-be"), "utf-16"),
        (NOTE.encode("utf-32"), "utf-32"),
    ],
    ids=["utf8", "utf8-bom", "latin1", "utf16-bom", "utf16be-bom", "utf32-bom"],
)
def test_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    features = text_features(data)
    assert features["encoding"] == encoding
    assert features["excerpt"] == NOTE
    assert features["words"] == 17


def test_windows_quotes_decode_as_cp1252() -> None:
    features = text_features("“Quoted” – ".encode("cp1252") + NOTE.encode("cp1252"))
    assert features["excerpt"].startswith("“Quoted” – Le patient a présenté")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1).randbytes(4000),
        random.Random(2).randbytes(4000).replace(b"\x00", b"\x01"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        b"\x01\x02\x03\x04abc" * 50,
    ],
    ids=["random", "random-without-nul", "png-header", "control-characters"],
)
def test_binary_labelled_as_text_is_rejected(data: bytes) -> None:
    with pytest.raises(DocumentError) as info:
        text_features(data)
    assert info.value.stage == "decode"
    assert "\n" not in info.value.reason


def test_empty_file_is_a_read_error() -> None:
    with pytest.raises(DocumentError) as info:
        text_features(b"")
    assert (info.value.stage, info.value.reason) == ("read", "empty file")
