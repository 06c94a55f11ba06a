import pytest

import report_pipeline.extraction as extraction
from report_pipeline.extraction import EXTRACTOR_VERSIONS, extract, kind_for
from report_pipeline.models import DocumentError


@pytest.mark.parametrize(
    ("content_type", "filename", "kind"),
    [
        ("text/plain", "a.bin", "text"),
        ("text/plain; charset=utf-8", "a", "text"),
        ("text/markdown", "a", "text"),
        ("TEXT/CSV", "a", "text"),
        ("application/octet-stream", "notes.TXT", "text"),
        ("", "summary.md", "text"),
        ("", "labs.csv", "text"),
        ("image/png", "a", "image"),
        ("image/jpeg", "a", "image"),
        ("image/tiff", "a", "image"),
        ("image/gif", "a", "image"),
        ("image/bmp", "a", "image"),
        ("image/webp", "a", "image"),
        ("application/octet-stream", "scan.JPG", "image"),
        ("", "scan.tif", "image"),
        ("image/heic", "a", "image"),
        ("application/pdf", "a", "pdf"),
        ("application/octet-stream", "letter.PDF", "pdf"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a", "docx"),
        ("", "consent.docx", "docx"),
    ],
)
def test_kind_for(content_type: str, filename: str, kind: str) -> None:
    assert kind_for(content_type, filename) == kind


def test_unsupported_type_is_a_decode_error() -> None:
    with pytest.raises(DocumentError) as info:
        kind_for("application/msword", "report.doc")
    assert info.value.stage == "decode"
    assert info.value.reason.startswith("unsupported content type 'application/msword'")


def test_extract_text_document() -> None:
    kind, features = extract(b"Mild nausea, mild fatigue.", "text/plain", "n.txt")
    assert kind == "text"
    assert features["top_terms"] == [["mild", 2], ["fatigue", 1], ["nausea", 1]]


def test_extract_empty_file() -> None:
    with pytest.raises(DocumentError) as info:
        extract(b"", "image/png", "scan.png")
    assert (info.value.stage, info.value.reason) == ("read", "empty file")


def test_unexpected_errors_become_one_line_feature_errors(monkeypatch) -> None:
    def explode(data: bytes) -> dict:
        raise ValueError("bad\nthings")

    monkeypatch.setattr(extraction, "text_features", explode)
    with pytest.raises(DocumentError) as info:
        extract(b"hello", "text/plain", "n.txt")
    assert (info.value.stage, info.value.reason) == ("features", "ValueError: bad things")


def test_extractor_versions() -> None:
    assert EXTRACTOR_VERSIONS == {
        "text": "text-1",
        "image": "ocr-6",
        "pdf": "pdf-5",
        "docx": "docx-1",
    }
