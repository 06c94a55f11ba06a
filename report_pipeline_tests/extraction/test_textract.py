"""The Textract engine against the moto server: wiring, retries and errors (not accuracy)."""

from __future__ import annotations

import io

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from report_pipeline.extraction import engines, extract
from report_pipeline.extraction.textract import TextractEngine, blocks_to_table, page_bytes
from report_pipeline.models import DocumentError
from report_pipeline.settings import load_settings
from report_pipeline.tooling import samples

LINES = [("Mild", 99.1), ("rash", 97.5)], [("resolved", 95.0)]


def canned_blocks() -> list[dict]:
    """LINE and WORD blocks shaped like Textract's answer for a two-line page."""
    blocks: list[dict] = [{"BlockType": "PAGE", "Id": "page"}]
    for number, words in enumerate(LINES):
        ids = [f"w{number}-{i}" for i in range(len(words))]
        blocks.append(
            {
                "BlockType": "LINE",
                "Id": f"line{number}",
                "Text": " ".join(w for w, _ in words),
                "Relationships": [{"Type": "CHILD", "Ids": ids}],
            }
        )
        blocks += [
            {"BlockType": "WORD", "Id": i, "Text": w, "Confidence": c}
            for i, (w, c) in zip(ids, words, strict=True)
        ]
    return blocks


@pytest.fixture
def textract(monkeypatch, s3_endpoint: str):
    """REPORT_PIPELINE_OCR_ENGINE=textract pointed at the moto server, with canned blocks."""
    from moto.textract.models import TextractBackend

    monkeypatch.setattr(TextractBackend, "BLOCKS", canned_blocks())
    monkeypatch.setenv("REPORT_PIPELINE_OCR_ENGINE", "textract")
    monkeypatch.setenv("REPORT_PIPELINE_TEXTRACT_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("REPORT_PIPELINE_TEXTRACT_REGION", "eu-west-1")
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    engines.use_engine(engines.engine_choice(load_settings()))
    yield engines.default_engine()
    engines.use_engine(engines.EngineChoice())


def page_png() -> bytes:
    return samples.scanned_page_png("Mild rash resolved after two days", width=800)


def test_a_page_is_read_through_textract(textract) -> None:
    assert textract.name == "textract"
    assert textract.client.meta.region_name == "eu-west-1"
    kind, features = extract(page_png(), "image/png", "scan.png")
    assert kind == "image"
    assert features["ocr_text"] == "Mild rash\nresolved"
    assert features["ocr_confidence"] == pytest.approx(97.2, abs=0.05)
    assert features["word_count"] == 3 and not features["no_text_found"]


def test_a_photo_without_text_never_reaches_textract(textract, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(textract, "word_table", lambda *a, **k: calls.append(a))
    _, features = extract(samples.photo_jpeg(seed=1), "image/jpeg", "photo.jpg")
    assert features["no_text_found"] and calls == []  # no page is paid for


def test_a_language_textract_does_not_read_is_a_clear_failure(textract) -> None:
    with pytest.raises(DocumentError) as info:
        extract(page_png(), "image/png", "scan.png", language="jpn")
    assert info.value.stage == "ocr"
    assert info.value.reason.startswith("textract does not read jpn")


class Flaky:
    """The moto client behind a given number of answered errors (moto cannot throttle)."""

    def __init__(self, client, code: str, failures: int) -> None:
        self.client, self.code, self.failures, self.calls = client, code, failures, 0

    def detect_document_text(self, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise ClientError(
                {"Error": {"Code": self.code, "Message": "slow down"}}, "DetectDocumentText"
            )
        return self.client.detect_document_text(**kwargs)


def test_throttling_is_retried_with_growing_backoff(textract) -> None:
    flaky, pauses = Flaky(textract.client, "ProvisionedThroughputExceededException", 3), []
    engine = TextractEngine(flaky, max_attempts=5, backoff_base=1.0, sleep=pauses.append)
    table = engine.word_table(Image.open(io.BytesIO(page_png())), timeout_s=120)
    assert table["text"] == ["Mild", "rash", "resolved"] and flaky.calls == 4
    assert len(pauses) == 3 and pauses[0] < pauses[2]
    assert all(0.5 * 2**i <= p <= 2**i for i, p in enumerate(pauses))  # jittered doubling


def test_giving_up_names_the_error_and_the_attempts(textract) -> None:
    flaky = Flaky(textract.client, "ThrottlingException", 10)
    engine = TextractEngine(flaky, max_attempts=3, backoff_base=0.01, sleep=lambda s: None)
    with pytest.raises(DocumentError) as info:
        engine.word_table(Image.open(io.BytesIO(page_png())), timeout_s=120)
    assert info.value.reason.startswith("Textract ThrottlingException after 3 attempts")
    assert flaky.calls == 3


def test_a_refusal_is_not_retried(textract) -> None:
    flaky = Flaky(textract.client, "AccessDeniedException", 1)
    engine = TextractEngine(flaky, sleep=lambda s: pytest.fail("must not wait"))
    with pytest.raises(DocumentError) as info:
        engine.word_table(Image.open(io.BytesIO(page_png())), timeout_s=120)
    assert info.value.error_class == "TextractAccessDeniedException" and flaky.calls == 1


def test_backoff_stops_at_the_documents_deadline(textract) -> None:
    flaky = Flaky(textract.client, "ThrottlingException", 10)
    engine = TextractEngine(flaky, max_attempts=10, backoff_base=60, sleep=lambda s: None)
    with pytest.raises(engines.OcrTimeout):
        engine.word_table(Image.open(io.BytesIO(page_png())), timeout_s=5)


def test_blocks_become_lines_of_words() -> None:
    table = blocks_to_table({"Blocks": canned_blocks()})
    assert table["text"] == ["Mild", "rash", "resolved"]
    assert table["line_num"] == [1, 1, 2]


def test_a_huge_page_is_shrunk_to_textracts_limits() -> None:
    data = page_bytes(Image.new("L", (12_000, 3_000), 255))
    assert max(Image.open(io.BytesIO(data)).size) == 10_000


def test_a_lost_connection_is_retried(textract) -> None:
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        calls = 0

        def detect_document_text(self, **kwargs):
            Unreachable.calls += 1
            if Unreachable.calls == 1:
                raise EndpointConnectionError(endpoint_url="http://textract.invalid")
            return textract.client.detect_document_text(**kwargs)

    engine = TextractEngine(Unreachable(), sleep=lambda s: None)
    table = engine.word_table(Image.open(io.BytesIO(page_png())), timeout_s=120)
    assert table["text"] == ["Mild", "rash", "resolved"] and Unreachable.calls == 2
