"""Item 7: nobody can rewrite the audit log through the app's own database user."""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from report_pipeline.appdb.audit import AuditEvent, record_audit
from report_pipeline.appdb.store import AppStore

SQLITE_ATTACKS = [
    "UPDATE audit_log SET actor = 'nobody' WHERE id = 1",
    "DELETE FROM audit_log WHERE id = 1",
    "INSERT OR REPLACE INTO audit_log (id, at, actor, action, outcome, status_code, request_id)"
    " VALUES (1, '2024-01-01', 'nobody', 'GET /', 'success', 200, 'forged')",
    "REPLACE INTO audit_log (id, at, actor, action, outcome, status_code, request_id)"
    " VALUES (1, '2024-01-01', 'nobody', 'GET /', 'success', 200, 'forged')",
    "INSERT INTO audit_log (id, at, actor, action, outcome, status_code, request_id)"
    " VALUES (1, '2024-01-01', 'nobody', 'GET /', 'success', 200, 'forged')"
    " ON CONFLICT (id) DO UPDATE SET actor = 'nobody'",
]
PG_ATTACKS = [
    "UPDATE audit_log SET actor = 'nobody' WHERE id = 1",
    "DELETE FROM audit_log WHERE id = 1",
    "INSERT INTO audit_log (id, at, actor, action, outcome, status_code, request_id)"
    " VALUES (1, now(), 'nobody', 'GET /', 'success', 200, 'forged')"
    " ON CONFLICT (id) DO UPDATE SET actor = 'nobody'",
    "TRUNCATE audit_log",
]


def _seed(store: AppStore) -> None:
    record_audit(
        store,
        AuditEvent(
            action="POST /api/reports",
            request_id="original",
            actor="alice",
            outcome="success",
            status_code=201,
        ),
    )


def _actors(store: AppStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.scalars(text("SELECT actor FROM audit_log ORDER BY id")))


@pytest.mark.parametrize("attack", SQLITE_ATTACKS)
def test_sqlite_audit_rows_cannot_be_rewritten(settings, attack: str) -> None:
    store = AppStore(settings.database_url)
    store.upgrade()
    _seed(store)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(attack))
    assert _actors(store) == ["alice"]


@pytest.fixture
def app_user_url(postgres_url: str) -> str:
    """The database owned by a plain login role, as production runs it (not a superuser)."""
    url = make_url(postgres_url)
    role, password = f"rp_app_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin = psycopg2.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    admin.autocommit = True
    admin.cursor().execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    admin.cursor().execute(f'ALTER DATABASE "{url.database}" OWNER TO {role}')
    admin.cursor().execute(f"ALTER SCHEMA public OWNER TO {role}")
    admin.close()
    yield url.set(username=role, password=password).render_as_string(hide_password=False)


@pytest.mark.parametrize("attack", PG_ATTACKS)
def test_postgresql_audit_rows_cannot_be_rewritten_by_the_app_user(
    app_user_url: str, attack: str
) -> None:
    store = AppStore(app_user_url)
    store.upgrade()  # the app's user runs the migrations and owns the table
    _seed(store)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(attack))
    assert _actors(store) == ["alice"]
    store.engine.dispose()
