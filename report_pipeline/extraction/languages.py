"""Which tesseract languages a document is read with, and whether they are installed.

A catalog record may name its document's language (`language`: "deu", "de" or
"eng+deu"); otherwise REPORT_PIPELINE_OCR_LANGUAGES (default "eng") applies. A
language whose model is not installed makes the document a dead letter with the
package to install, never a tesseract crash.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from report_pipeline.models import DocumentError
from report_pipeline.settings import ocr_languages

DEFAULT_LANGUAGES = "eng"
# ISO 639-1 codes catalogs often carry, to tesseract's names.
_ISO_639_1 = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "it": "ita",
    "nl": "nld",
    "pt": "por",
    "pl": "pol",
    "sv": "swe",
    "da": "dan",
    "fi": "fin",
    "no": "nor",
    "nb": "nor",
    "cs": "ces",
    "tr": "tur",
    "ru": "rus",
    "el": "ell",
    "hu": "hun",
    "ro": "ron",
    "ja": "jpn",
    "zh": "chi_sim",
    "ar": "ara",
    "he": "heb",
}
_NAME = re.compile(r"^[a-z]{3}(_[a-z]{3,4})?$")


def default_languages() -> str:
    return ocr_languages() or DEFAULT_LANGUAGES


def resolve(
    language: str | None, installed: frozenset[str] | None = None, reader: str = "tesseract"
) -> str:
    """The tesseract `lang` string for a document; DocumentError when unusable.

    ``installed``: the languages the engine reads (default: tesseract's models here).
    """
    wanted = (language or "").strip() or default_languages()
    names = []
    for part in re.split(r"[+,\s]+", wanted.lower().replace("-", "_")):
        if not part:
            continue
        name = _ISO_639_1.get(part, part)
        if not _NAME.match(name):
            raise DocumentError("ocr", f"unknown OCR language {part!r}", "OcrLanguageUnknown")
        if name not in names:
            names.append(name)
    installed = installed if installed is not None else installed_languages()
    missing = [n for n in names if n not in installed]
    if missing and reader != "tesseract":
        raise DocumentError(
            "ocr",
            f"{reader} does not read {'+'.join(missing)} (it reads {', '.join(sorted(installed))})",
            "OcrLanguageMissing",
        )
    if missing:
        packages = " ".join(f"tesseract-ocr-{n.replace('_', '-')}" for n in missing)
        raise DocumentError(
            "ocr",
            f"OCR language {'+'.join(missing)} is not installed (install {packages},"
            " or add it to REPORT_PIPELINE_OCR_LANGUAGES and run `make tesseract`)",
            "OcrLanguageMissing",
        )
    return "+".join(names) or DEFAULT_LANGUAGES


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """Language models tesseract can load here (osd is not a language)."""
    from report_pipeline.extraction.engines import find_tessdata

    directory = find_tessdata()
    if directory is None:
        return frozenset()
    return frozenset(
        name[: -len(".traineddata")]
        for name in os.listdir(directory)
        if name.endswith(".traineddata") and name != "osd.traineddata"
    )


def ocr_language_tag(language: str | None) -> str:
    """Cache-key suffix: the same bytes read in other languages are other features.

    Empty for plain English so the common case keeps short keys; never raises (an
    unusable language fails at extraction, with its reason).
    """
    try:
        names = resolve(language, installed=_ANY)
    except DocumentError:
        names = (language or "").strip()[:40] or "invalid"
    return "" if names == DEFAULT_LANGUAGES else "-" + re.sub(r"[^a-z_+]", "_", names.lower())


class _Anything(frozenset):
    def __contains__(self, item: object) -> bool:
        return True


_ANY = _Anything()
