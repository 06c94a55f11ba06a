"""OCR engines: tesseract's word table for one image, from the CLI or a loaded model.

`tesserocr` keeps the model loaded in the worker process: on this machine an A4
page costs about 0.85 s instead of 1.3 s through the CLI (process start, model
load and a PNG round trip per image). `pytesseract` (the CLI) is the fallback.
Both return tesseract's TSV word table as a dict of columns, so the text
rebuilding above them does not care which one ran.

REPORT_PIPELINE_OCR_ENGINE = auto (default) | tesserocr | cli | textract (textract.py):
the kinds are `backends.OCR_ENGINES`; the entry point hands the choice in (`use_engine`).
"""

from __future__ import annotations

import csv
import glob
import io
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Protocol

from report_pipeline import backends
from report_pipeline.backends import Health
from report_pipeline.settings import (
    Settings,
    TextractSettings,
    set_process_variable,
    tessdata_prefix,
)

# Set before any tesseract library loads: parallelism comes from processes.
set_process_variable("OMP_THREAD_LIMIT", "1", overwrite=False)

import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from report_pipeline.models import DocumentError  # noqa: E402

WordTable = dict[str, list]
_COLUMNS_INT = ("block_num", "par_num", "line_num")


# OSD reads a page in ~0.25 s here; a stuck one must not hold the document.
OSD_TIMEOUT_S = 20


class OcrTimeout(Exception):
    pass


class OcrEngine(Protocol):
    """Everything a caller needs of an OCR engine."""

    name: str  # this implementation, for logs and tests
    display_name: str  # the engine as users know it (in errors about languages)
    languages: frozenset[str] | None  # the only ones it reads; None: whatever is installed
    reads_any_orientation: bool  # True: pages go as they are (no OSD, no deskew)
    fork_safe: bool  # True: may be loaded before a fork (no client, thread or socket)

    def check(self, languages: tuple[str, ...]) -> Health:
        """Usable with these languages? For the doctor."""
        ...

    def word_table(self, image: Image.Image, timeout_s: float, lang: str = "eng") -> WordTable: ...

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """(degrees to turn counter-clockwise, confidence) from tesseract OSD, or None."""
        ...


class CliEngine:
    """One `tesseract` process per image (pytesseract)."""

    name = "tesseract-cli"
    display_name = "tesseract"
    languages = None
    reads_any_orientation = False
    fork_safe = True

    def check(self, languages: tuple[str, ...]) -> Health:
        binary = shutil.which("tesseract")
        if binary is None:
            return Health(
                "tesseract",
                "tesseract is not on PATH: images cannot be OCR'd",
                "apt-get install tesseract-ocr tesseract-ocr-eng",
            )
        try:
            installed = subprocess.run(
                [binary, "--list-langs"], capture_output=True, text=True, timeout=30
            ).stdout.split()
        except (OSError, subprocess.SubprocessError) as error:
            return Health("tesseract", f"{binary} does not run: {error}", "reinstall tesseract-ocr")
        return _tesseract_health(binary, languages, installed)

    def word_table(self, image: Image.Image, timeout_s: float, lang: str = "eng") -> WordTable:
        set_process_variable("OMP_THREAD_LIMIT", "1")
        dpi = resolution_of(image)
        try:
            return pytesseract.image_to_data(
                image,
                lang=lang,
                config=f"--dpi {dpi}" if dpi else "",
                output_type=pytesseract.Output.DICT,
                timeout=timeout_s,
            )
        except SystemExit as exc:  # pytesseract exits on an unparsable `tesseract --version`
            raise DocumentError(
                "ocr", f"unusable tesseract: {_one_line(exc)}", "TesseractVersionError"
            ) from None
        except pytesseract.TesseractNotFoundError:
            raise DocumentError(
                "ocr",
                "tesseract is not installed or not on PATH (install tesseract-ocr)",
                "TesseractNotFoundError",
            ) from None
        except pytesseract.TesseractError as exc:  # subclass of RuntimeError: keep first
            raise DocumentError(
                "ocr", f"tesseract failed: {_one_line(exc)}", "TesseractError"
            ) from None
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():  # how pytesseract reports a killed process
                raise OcrTimeout() from None
            raise DocumentError(
                "ocr", f"tesseract failed: {_one_line(exc)}", type(exc).__name__
            ) from None

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        set_process_variable("OMP_THREAD_LIMIT", "1")
        try:
            osd = pytesseract.image_to_osd(
                image, config="--psm 0", timeout=OSD_TIMEOUT_S, output_type=pytesseract.Output.DICT
            )
        except (pytesseract.TesseractError, RuntimeError):
            return None  # too few characters, no osd.traineddata, or too slow: keep as is
        return int(osd["orientation"]) % 360, float(osd["orientation_conf"])


class TesserocrEngine:
    """The tesseract library kept loaded for the life of the worker process."""

    name = "tesserocr"
    display_name = "tesseract"
    languages = None
    reads_any_orientation = False
    fork_safe = True

    def __init__(self, tessdata: str) -> None:
        import tesserocr

        self._tesserocr = tesserocr
        self._tessdata = tessdata
        # One loaded model per language set, kept for the worker's life (few per week).
        self._apis = {"eng": tesserocr.PyTessBaseAPI(path=tessdata, lang="eng")}
        self._lock = threading.Lock()  # one recognition at a time per loaded model

    def _api(self, lang: str):
        if lang not in self._apis:
            self._apis[lang] = self._tesserocr.PyTessBaseAPI(path=self._tessdata, lang=lang)
        return self._apis[lang]

    def word_table(self, image: Image.Image, timeout_s: float, lang: str = "eng") -> WordTable:
        with self._lock:
            api = self._api(lang)
            _set_pixels(api, image)
            try:
                if not api.Recognize(timeout=max(1, int(timeout_s * 1000))):
                    raise OcrTimeout()
                return parse_tsv(api.GetTSVText(0))
            finally:
                api.Clear()  # the page's image and results: tens of MB until the next page

    def check(self, languages: tuple[str, ...]) -> Health:
        installed = [
            os.path.basename(name).removesuffix(".traineddata")
            for name in glob.glob(os.path.join(self._tessdata, "*.traineddata"))
        ]
        return _tesseract_health(self._tessdata, languages, installed)

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        if not os.path.isfile(os.path.join(self._tessdata, "osd.traineddata")):
            return None
        with self._lock:
            # Loaded per call (~50 ms) and freed after: the OSD model holds ~35 MB, and
            # only doubtful or sideways pages ask, against ~1 s of OCR per page.
            osd = self._tesserocr.PyTessBaseAPI(
                path=self._tessdata, lang="osd", psm=self._tesserocr.PSM.OSD_ONLY
            )
            try:
                osd.SetImage(image)
                found = osd.DetectOrientationScript()
            finally:
                osd.End()
        if not found:
            return None  # too few characters to tell
        return int(found["orient_deg"]) % 360, float(found["orient_conf"])


# Resolutions tesseract takes as given; outside them it estimates one from the text.
CREDIBLE_DPI = (70, 2400)
# Bytes a pixel in tesseract's raw image input (0: 1 bit, packed, 1 = white, as Pillow's).
_RAW_BYTES_PER_PIXEL = {"1": 0, "L": 1, "RGB": 3}


def resolution_of(image: Image.Image) -> int | None:
    """The image's vertical resolution from ``info["dpi"]``, when tesseract would believe it.

    The reader sets it to the page's real resolution (that of its file, times any
    enlargement); None lets tesseract estimate it, as the CLI does for a file without one.
    """
    try:
        dpi = round(float(image.info["dpi"][1]))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return dpi if CREDIBLE_DPI[0] <= dpi <= CREDIBLE_DPI[1] else None


def _set_pixels(api, image: Image.Image) -> None:
    """The image's raw pixels and resolution into tesserocr, the same for every image.

    tesserocr's own SetImage re-encodes the image in its ``format`` (a JPEG page as a
    JPEG again, lossy; a PNG without its resolution) or else as a 96 dpi BMP, so what
    tesseract saw depended on where the image came from.
    """
    if image.mode not in _RAW_BYTES_PER_PIXEL:
        image = image.convert("L")
    per_pixel = _RAW_BYTES_PER_PIXEL[image.mode]
    per_line = image.width * per_pixel if per_pixel else (image.width + 7) // 8
    api.SetImageBytes(image.tobytes(), image.width, image.height, per_pixel, per_line)
    dpi = resolution_of(image)
    if dpi:
        api.SetSourceResolution(dpi)


def parse_tsv(tsv: str) -> WordTable:
    """Tesseract's TSV as columns; the library's TSV has no header row."""
    table: WordTable = {"text": [], "conf": [], **{name: [] for name in _COLUMNS_INT}}
    for row in csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) < 12 or row[0] == "level" or row[0] != "5":  # 5 = word level
            continue
        table["block_num"].append(int(row[2]))
        table["par_num"].append(int(row[3]))
        table["line_num"].append(int(row[4]))
        table["conf"].append(float(row[10]))
        table["text"].append(row[11])
    return table


def find_tessdata() -> str | None:
    candidates = [tessdata_prefix() or ""]
    candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata"]
    for directory in candidates:
        if directory and os.path.isfile(os.path.join(directory, "eng.traineddata")):
            return directory.rstrip("/") + "/"
    return None


def _tesseract_health(where: str, languages: tuple[str, ...], installed: list[str]) -> Health:
    # The OCR languages, and osd, which finds pages fed sideways or upside down.
    wanted = [*languages, "osd"]
    missing = [name for name in wanted if name and name not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{name.replace('_', '-')}" for name in missing)
        return Health(
            "tesseract",
            f"tesseract data missing: {', '.join(missing)}",
            f"apt-get install {packages} (or make tesseract)",
        )
    return Health("tesseract", None, detail=f"{where} with {'+'.join(wanted)}")


def open_cli_engine(textract: TextractSettings) -> OcrEngine:
    return CliEngine()


def open_tesserocr_engine(textract: TextractSettings) -> OcrEngine:
    tessdata = find_tessdata()
    if tessdata is None:
        raise ImportError("no eng.traineddata found")
    return TesserocrEngine(tessdata)


def open_auto_engine(textract: TextractSettings) -> OcrEngine:
    """The loaded model when tesserocr and its data are there, else the CLI."""
    try:
        return open_tesserocr_engine(textract)
    except (ImportError, RuntimeError):
        return CliEngine()


@dataclass(frozen=True)
class EngineChoice:
    """REPORT_PIPELINE_OCR_ENGINE and what the managed engine needs, from the settings."""

    kind: str = "auto"
    textract: TextractSettings = TextractSettings()


def engine_choice(settings: Settings) -> EngineChoice:
    return EngineChoice(settings.ocr_engine, settings.textract)


def open_engine(choice: EngineChoice) -> OcrEngine:
    return backends.factory(backends.OCR_ENGINES, "OCR engine", choice.kind)(choice.textract)


def check_engine(settings: Settings) -> Health:
    """The doctor's check of every engine (backends.OCR_ENGINES): the chosen engine's own
    check(), with the configured languages."""
    from report_pipeline.health import scrub, unhealthy

    service = f"OCR engine ({settings.ocr_engine})"
    try:
        engine = open_engine(engine_choice(settings))
    except Exception as error:
        return unhealthy(
            service,
            scrub(f"cannot be opened: {error}", settings),
            "install it (make tesseract) or set REPORT_PIPELINE_OCR_ENGINE=cli",
        )
    languages = tuple(name for name in settings.ocr_languages.replace(",", "+").split("+") if name)
    return engine.check(languages)


_chosen = EngineChoice()
_engine: OcrEngine | None = None


def use_engine(choice: EngineChoice) -> None:
    """The entry point's choice for this process (CLI, Dagster step, forkserver)."""
    global _chosen, _engine
    if choice != _chosen:
        _chosen, _engine = choice, None


def forget_engine() -> None:
    """Drop the opened engine; the next default_engine() opens the same choice again."""
    global _engine
    _engine = None


def default_engine() -> OcrEngine:
    """The engine of this process, opened once (the loaded model is reused)."""
    global _engine
    if _engine is None:
        _engine = open_engine(_chosen)
    return _engine


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
