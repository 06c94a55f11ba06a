"""Every backend is one registry line naming a factory and a check that both exist."""

from __future__ import annotations

import inspect

import pytest

from report_pipeline import backends

REGISTRIES = {
    "catalog": backends.CATALOGS,
    "object store": backends.OBJECT_STORES,
    "mailer": backends.MAILERS,
    "OCR engine": backends.OCR_ENGINES,
    "send rate": backends.SEND_RATES,
}
ENTRIES = [(system, kind) for system, registry in REGISTRIES.items() for kind in registry]


@pytest.mark.parametrize(("system", "kind"), ENTRIES)
def test_every_entry_resolves_to_a_callable_factory_and_check(system: str, kind: str) -> None:
    registry = REGISTRIES[system]
    factory = backends.factory(registry, system, kind)
    check = backends.check(registry, system, kind)
    assert callable(factory) and callable(check)
    # Both take one argument: the factory its typed config, the check the settings.
    assert len(inspect.signature(factory).parameters) == 1
    assert list(inspect.signature(check).parameters) == ["settings"]


def test_an_unknown_kind_names_the_kinds_there_are() -> None:
    with pytest.raises(ValueError, match="unknown mailer kind 'fax' .expected outbox or smtp"):
        backends.check(backends.MAILERS, "mailer", "fax")


def test_the_embedded_backends_answer_the_doctor(tmp_path) -> None:
    from report_pipeline.settings import load_settings

    settings = load_settings({"REPORT_PIPELINE_HOME": str(tmp_path)})
    chosen = [
        backends.check(backends.OBJECT_STORES, "object store", settings.object_store),
        backends.check(backends.CATALOGS, "catalog", settings.catalog),
        backends.check(backends.MAILERS, "mailer", settings.mailer),
    ]
    lines = [check(settings).line() for check in chosen]
    assert lines == [
        f"ok      object store (local): {settings.objects_dir} writable",
        f"ok      catalog (embedded): {settings.catalog_path.parent} writable",
        f"ok      mailer (outbox): {settings.outbox_dir} writable",
    ]
    assert backends.check(backends.SEND_RATES, "send rate", "database")(settings) is None
