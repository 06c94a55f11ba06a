"""Content detection: the bytes pick the extractor, the label only when they say nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from report_pipeline.extraction import extract
from report_pipeline.extraction.detect import detect, looks_like_text
from report_pipeline.models import DocumentError

GPL = "/usr/share/common-licenses/GPL-2"
PDF = "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"


def kind(data: bytes, content_type: str = "application/octet-stream", name: str = "upload"):
    return detect(io.BytesIO(data), content_type, name)


def test_text_without_an_extension_is_text() -> None:
    data = open(GPL, "rb").read()
    assert kind(data, "application/octet-stream", "GPL-2") == ("text", None)
    found, features = extract(data, "application/octet-stream", "GPL-2")
    assert found == "text" and features["words"] > 2000
    assert "content_type_mismatch" not in features


def test_a_pdf_named_as_text_is_read_as_a_pdf_and_the_mismatch_noted() -> None:
    found, features = extract(open(PDF, "rb").read(), "text/plain", "spec.txt")
    assert found == "pdf" and features["pages"] == 17
    assert features["content_type_mismatch"] == "labelled 'text/plain', content is PDF"


def test_a_pdf_header_after_leading_junk_is_still_a_pdf() -> None:
    assert kind(b"\r\n" * 10 + b"%PDF-1.4\n...")[0] == "pdf"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image"),
        ("Fièvre élevée\n".encode("latin-1"), "text"),
        ("Fièvre\n".encode("utf-16"), "text"),
    ],
)
def test_signatures(head: bytes, expected: str) -> None:
    assert kind(head)[0] == expected


def test_binary_is_not_text() -> None:
    assert not looks_like_text(bytes(range(256)))
    assert not looks_like_text(b"")


def test_unknown_binary_without_a_label_names_what_it_is() -> None:
    with pytest.raises(DocumentError) as info:
        kind(b"\x1f\x8b\x08\x00" + bytes(range(256)), "application/octet-stream", "blob")
    assert info.value.stage == "decode"
    assert info.value.reason.startswith("unsupported content (") and "gzip" in info.value.reason


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_a_docx_that_is_a_zip_of_something_else_is_a_dead_letter() -> None:
    data = zip_of({"photos/a.jpg": b"x", "readme.txt": b"hello"})
    with pytest.raises(DocumentError) as info:
        extract(
            data,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "consent.docx",
        )
    assert (info.value.stage, info.value.error_class) == ("decode", "NotAWordDocument")
    assert "no word/document.xml" in info.value.reason and "photos/a.jpg" in info.value.reason


def test_a_truncated_zip_is_a_dead_letter() -> None:
    data = zip_of({"word/document.xml": b"<x/>" * 1000})[:200]
    with pytest.raises(DocumentError) as info:
        extract(data, "", "letter.docx")
    assert info.value.stage == "decode" and "corrupt ZIP" in info.value.reason


def test_a_heic_phone_photo_is_ocrd(monkeypatch) -> None:
    from PIL import Image

    from report_pipeline.extraction import heif, ocr
    from report_pipeline.tooling import samples

    assert heif.HEIF_AVAILABLE
    seen: list[tuple[int, int]] = []

    class FakeEngine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            seen.append(image.size)
            return {
                "text": ["Rash"],
                "conf": [91],
                "block_num": [1],
                "par_num": [1],
                "line_num": [1],
            }

    monkeypatch.setattr(ocr, "default_engine", FakeEngine)
    buffer = io.BytesIO()
    # Printed words: a blank photo would be "no text found" without any OCR.
    page = Image.open(io.BytesIO(samples.scanned_page_png("Rash on both arms", width=600)))
    page.convert("RGB").save(buffer, format="HEIF")
    found, features = extract(buffer.getvalue(), "application/octet-stream", "IMG_0001.HEIC")
    assert (found, features["width"], features["ocr_text"]) == ("image", 600, "Rash")
    assert len(seen) == 1
