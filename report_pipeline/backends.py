"""Every backend by kind: the one list the settings accept, the openers and the doctor use.

Each entry names its factory and its check as ``"module:function"``, imported
only when that kind is opened or checked, so the settings module can list the
kinds without loading boto3, pymongo or tesserocr. Adding a backend is a module
with its factory and its check, and one line here.

Factories by system (each takes one typed config and returns the interface):
- catalog: ``CatalogConfig -> DocumentCatalog`` (storage/catalog.py)
- object store: ``ObjectStoreConfig -> ObjectStore`` (storage/object_store.py)
- mailer: ``MailerConfig -> Mailer`` (delivery/mailers.py)
- OCR engine: ``TextractSettings -> OcrEngine`` (extraction/engines.py)
- send-rate bucket: ``SendRateConfig -> SendRateFactory`` (delivery/rate.py)

Checks all take the Settings and return a Health (health.py) for the doctor,
or None when another check already covers what the kind relies on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from report_pipeline.health import Health

if TYPE_CHECKING:
    from report_pipeline.settings import Settings


@dataclass(frozen=True)
class Backend:
    """One kind of a system: how to open it and how the doctor asks it whether it works."""

    factory: str  # "module:function"
    check: str  # "module:function", (Settings) -> Health | None


CATALOGS: Mapping[str, Backend] = {
    "embedded": Backend(
        "report_pipeline.storage.catalog:open_embedded_catalog",
        "report_pipeline.storage.catalog:check_embedded_catalog",
    ),
    "mongodb": Backend(
        "report_pipeline.storage.catalog:open_mongo_catalog",
        "report_pipeline.storage.catalog:check_mongo_catalog",
    ),
}
OBJECT_STORES: Mapping[str, Backend] = {
    "local": Backend(
        "report_pipeline.storage.object_store:open_local_store",
        "report_pipeline.storage.object_store:check_local_store",
    ),
    "s3": Backend(
        "report_pipeline.storage.object_store:open_s3_store",
        "report_pipeline.storage.object_store:check_s3_store",
    ),
}
MAILERS: Mapping[str, Backend] = {
    "outbox": Backend(
        "report_pipeline.delivery.mailers:open_outbox_mailer",
        "report_pipeline.delivery.mailers:check_outbox_mailer",
    ),
    "smtp": Backend(
        "report_pipeline.delivery.mailers:open_smtp_mailer",
        "report_pipeline.delivery.mailers:check_smtp_mailer",
    ),
    "ses": Backend(
        "report_pipeline.delivery.ses:open_ses_mailer",
        "report_pipeline.delivery.ses:check_ses_mailer",
    ),
}
# Every engine answers its own check() (the OcrEngine interface); check_engine opens
# the chosen one and asks it with the configured languages.
OCR_ENGINES: Mapping[str, Backend] = {
    "auto": Backend(
        "report_pipeline.extraction.engines:open_auto_engine",
        "report_pipeline.extraction.engines:check_engine",
    ),
    "tesserocr": Backend(
        "report_pipeline.extraction.engines:open_tesserocr_engine",
        "report_pipeline.extraction.engines:check_engine",
    ),
    "cli": Backend(
        "report_pipeline.extraction.engines:open_cli_engine",
        "report_pipeline.extraction.engines:check_engine",
    ),
    "textract": Backend(
        "report_pipeline.extraction.textract:open_textract_engine",
        "report_pipeline.extraction.engines:check_engine",
    ),
}
# Where the send rate every sender shares lives: chosen by what is configured
# (a Redis URL, else the app database, else this process alone).
SEND_RATES: Mapping[str, Backend] = {
    "redis": Backend(
        "report_pipeline.storage.redis_send_rate:redis_send_rates",
        "report_pipeline.storage.redis_send_rate:check_redis_send_rate",
    ),
    "database": Backend(
        "report_pipeline.appdb.send_rate:database_send_rates",
        "report_pipeline.appdb.send_rate:check_database_send_rate",
    ),
    "process": Backend(
        "report_pipeline.delivery.rate:process_send_rates",
        "report_pipeline.delivery.rate:check_process_send_rate",
    ),
}


def factory(registry: Mapping[str, Backend], system: str, kind: str) -> Callable[..., Any]:
    """The factory of ``kind``; an unknown kind names the ones there are."""
    return _load(_backend(registry, system, kind).factory)


def check(
    registry: Mapping[str, Backend], system: str, kind: str
) -> Callable[[Settings], Health | None]:
    """The doctor's check of ``kind``; an unknown kind names the ones there are."""
    return _load(_backend(registry, system, kind).check)


def _backend(registry: Mapping[str, Backend], system: str, kind: str) -> Backend:
    try:
        return registry[kind]
    except KeyError:
        raise ValueError(
            f"unknown {system} kind {kind!r} (expected {' or '.join(registry)})"
        ) from None


def _load(reference: str) -> Callable[..., Any]:
    module, name = reference.split(":")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CATALOGS",
    "MAILERS",
    "OBJECT_STORES",
    "OCR_ENGINES",
    "SEND_RATES",
    "Backend",
    "Health",
    "check",
    "factory",
]
