"""Every backend by kind: the one list the settings accept and the openers look up.

Each entry names its factory as ``"module:function"`` and is imported only when
that kind is opened, so the settings module can list the kinds without loading
boto3, pymongo or tesserocr. Adding a backend is a module with its factory and
one line here.

Factories by system (each takes one typed config and returns the interface):
- catalog: ``CatalogConfig -> DocumentCatalog`` (storage/catalog.py)
- object store: ``ObjectStoreConfig -> ObjectStore`` (storage/object_store.py)
- mailer: ``MailerConfig -> Mailer`` (delivery/mailers.py)
- OCR engine: ``TextractSettings -> OcrEngine`` (extraction/engines.py)
- send-rate bucket: ``SendRateConfig -> SendRateFactory`` (delivery/rate.py)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

CATALOGS: Mapping[str, str] = {
    "embedded": "report_pipeline.storage.catalog:open_embedded_catalog",
    "mongodb": "report_pipeline.storage.catalog:open_mongo_catalog",
}
OBJECT_STORES: Mapping[str, str] = {
    "local": "report_pipeline.storage.object_store:open_local_store",
    "s3": "report_pipeline.storage.object_store:open_s3_store",
}
MAILERS: Mapping[str, str] = {
    "outbox": "report_pipeline.delivery.mailers:open_outbox_mailer",
    "smtp": "report_pipeline.delivery.mailers:open_smtp_mailer",
    "ses": "report_pipeline.delivery.ses:open_ses_mailer",
}
OCR_ENGINES: Mapping[str, str] = {
    "auto": "report_pipeline.extraction.engines:open_auto_engine",
    "tesserocr": "report_pipeline.extraction.engines:open_tesserocr_engine",
    "cli": "report_pipeline.extraction.engines:open_cli_engine",
    "textract": "report_pipeline.extraction.textract:open_textract_engine",
}
# Where the send rate every sender shares lives: chosen by what is configured
# (a Redis URL, else the app database, else this process alone).
SEND_RATES: Mapping[str, str] = {
    "redis": "report_pipeline.storage.redis_send_rate:redis_send_rates",
    "database": "report_pipeline.appdb.send_rate:database_send_rates",
    "process": "report_pipeline.delivery.rate:process_send_rates",
}


def factory(registry: Mapping[str, str], system: str, kind: str) -> Callable[..., Any]:
    """The factory of ``kind``; an unknown kind names the ones there are."""
    try:
        module, name = registry[kind].split(":")
    except KeyError:
        raise ValueError(
            f"unknown {system} kind {kind!r} (expected {' or '.join(registry)})"
        ) from None
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Health:
    """A backend's answer to the doctor: None as problem means it is usable."""

    service: str
    problem: str | None
    fix: str = ""
    detail: str = ""
    warning: bool = False
