"""Item 14: `api-keys revoke` never mistakes a prefix for an id; nothing matched is an error."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select, update

from report_pipeline.appdb.api_keys import create_api_key, verify_api_key
from report_pipeline.appdb.schema import ApiKey
from report_pipeline.appdb.store import AppStore
from report_pipeline.cli import cli


def _store(settings) -> AppStore:
    store = AppStore(settings.database_url)
    store.upgrade()
    return store


def _revoked(store: AppStore) -> dict[int, bool]:
    with store.session() as session:
        return {row.id: row.revoked_at is not None for row in session.scalars(select(ApiKey))}


def test_all_digit_prefix_is_not_taken_as_an_id(settings) -> None:
    store = _store(settings)
    first = create_api_key(store, "service", "first")
    second = create_api_key(store, "service", "second")
    digits = f"{first.id:012d}"  # an all-digit prefix that also reads as key 1's id
    with store.session() as session, session.begin():
        session.execute(update(ApiKey).where(ApiKey.id == second.id).values(prefix=digits))
    runner = CliRunner()
    ambiguous = runner.invoke(cli, ["api-keys", "revoke", digits])
    assert ambiguous.exit_code == 1 and "--id or --prefix" in ambiguous.output
    assert _revoked(store) == {first.id: False, second.id: False}
    by_prefix = runner.invoke(cli, ["api-keys", "revoke", "--prefix", digits])
    assert by_prefix.exit_code == 0 and f"revoked key {second.id}" in by_prefix.output
    assert _revoked(store) == {first.id: False, second.id: True}
    again = runner.invoke(cli, ["api-keys", "revoke", "--prefix", digits])
    assert again.exit_code == 1 and "already revoked" in again.output
    by_id = runner.invoke(cli, ["api-keys", "revoke", "--id", str(first.id)])
    assert by_id.exit_code == 0 and verify_api_key(store, first.key) is None


def test_nothing_matched_is_an_error(settings) -> None:
    store = _store(settings)
    create_api_key(store, "service", "only")
    runner = CliRunner()
    for args in (["--id", "999"], ["--prefix", "123456789012"], ["999999"], []):
        result = runner.invoke(cli, ["api-keys", "revoke", *args])
        assert result.exit_code != 0 and "revoked key" not in result.output, args
    both = runner.invoke(cli, ["api-keys", "revoke", "--id", "1", "--prefix", "x"])
    assert both.exit_code != 0 and "exactly one" in both.output
