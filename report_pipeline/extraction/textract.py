"""AWS Textract as the OCR engine: DetectDocumentText on each page image.

REPORT_PIPELINE_OCR_ENGINE=textract. The page goes as bytes (no S3 round trip, so a
page split from a larger document needs no object of its own); Textract finds the
page's orientation itself, so no OSD pass runs. Throttling and 5xx answers are
retried with jittered exponential backoff within the document's time budget.

Environment: REPORT_PIPELINE_TEXTRACT_ENDPOINT_URL (tests, VPC endpoints),
REPORT_PIPELINE_TEXTRACT_REGION or AWS_REGION / AWS_DEFAULT_REGION, and the usual
AWS credential chain.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from typing import Any

from PIL import Image

from report_pipeline.backends import Health
from report_pipeline.extraction.engines import OcrEngine, OcrTimeout, WordTable
from report_pipeline.models import DocumentError
from report_pipeline.settings import TextractSettings

# DetectDocumentText reads these; other languages are refused before any call.
TEXTRACT_LANGUAGES = frozenset({"eng", "fra", "deu", "ita", "por", "spa"})
# Synchronous limits: 10 MB per document, 10,000 px per side.
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 10_000
RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "InternalServerError",
        "ServiceUnavailableException",
        "LimitExceededException",
        # botocore's network errors carry no response: their class name is the code.
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    }
)


class TextractEngine:
    """One DetectDocumentText call per page; words and confidences as a word table."""

    name = "textract"
    display_name = "textract"
    reads_any_orientation = True
    languages = TEXTRACT_LANGUAGES
    fork_safe = False  # its HTTPS client's pool must not cross a fork

    def __init__(
        self,
        client: Any = None,
        *,
        settings: TextractSettings | None = None,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client if client is not None else _client(settings or TextractSettings())
        self.max_attempts = max(1, max_attempts)
        self.backoff_base, self.backoff_max, self._sleep = backoff_base, backoff_max, sleep
        self._rng = random.Random()

    def word_table(self, image: Image.Image, timeout_s: float, lang: str = "eng") -> WordTable:
        deadline = time.monotonic() + timeout_s
        document = {"Bytes": page_bytes(image)}
        for attempt in range(1, self.max_attempts + 1):
            try:
                return blocks_to_table(self.client.detect_document_text(Document=document))
            except Exception as exc:  # botocore's ClientError and connection errors
                code = _error_code(exc)
                if code not in RETRYABLE or attempt == self.max_attempts:
                    raise _document_error(exc, code, attempt) from None
                pause = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
                pause *= 0.5 + self._rng.random() / 2
                if time.monotonic() + pause >= deadline:
                    raise OcrTimeout() from None
                self._sleep(pause)
        raise AssertionError("unreachable")

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        return None  # Textract reads turned pages as they are

    def check(self, languages: tuple[str, ...]) -> Health:
        # No call: every DetectDocumentText is billed; the languages are known here.
        refused = [name for name in languages if name not in self.languages]
        if refused:
            return Health(
                "textract",
                f"Textract does not read {', '.join(refused)}",
                "set REPORT_PIPELINE_OCR_LANGUAGES to some of "
                + ", ".join(sorted(self.languages))
                + " or use a tesseract engine",
            )
        region = self.client.meta.region_name
        return Health("textract", None, detail=f"{region} for {'+'.join(languages)}")


def open_textract_engine(settings: TextractSettings) -> OcrEngine:
    return TextractEngine(settings=settings, max_attempts=settings.max_attempts)


def _client(settings: TextractSettings) -> Any:
    import boto3
    from botocore.config import Config

    # Our own loop retries (it knows the document's deadline); botocore does not.
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60)
    return boto3.client(
        "textract", region_name=settings.region, endpoint_url=settings.endpoint_url, config=config
    )


def page_bytes(image: Image.Image) -> bytes:
    """PNG of the page within Textract's synchronous limits (side and size)."""
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    if buffer.tell() <= MAX_BYTES:
        return buffer.getvalue()
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=85)  # photos: JPEG fits where PNG did not
    return buffer.getvalue()


def blocks_to_table(response: dict[str, Any]) -> WordTable:
    """Textract's LINE and WORD blocks as tesseract-style columns (one line per LINE)."""
    blocks = response.get("Blocks") or []
    by_id = {b.get("Id"): b for b in blocks}
    table: WordTable = {"text": [], "conf": [], "block_num": [], "par_num": [], "line_num": []}
    line_number = 0
    for block in blocks:
        if block.get("BlockType") != "LINE":
            continue
        line_number += 1
        for relation in block.get("Relationships") or []:
            if relation.get("Type") != "CHILD":
                continue
            for child_id in relation.get("Ids") or []:
                word = by_id.get(child_id)
                if word and word.get("BlockType") == "WORD":
                    table["text"].append(word.get("Text", ""))
                    table["conf"].append(float(word.get("Confidence", 0.0)))
                    table["block_num"].append(1)
                    table["par_num"].append(1)
                    table["line_num"].append(line_number)
    return table


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code") or type(exc).__name__)


def _document_error(exc: Exception, code: str, attempts: int) -> DocumentError:
    message = " ".join(str(exc).split())[:200]
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return DocumentError("ocr", f"Textract {code}{tries}: {message}", f"Textract{code}")
