"""API fixtures: the app on SQLite and on PostgreSQL, tokens per role, a recording launcher."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig, JwtConfig
from report_pipeline.api.launcher import LaunchError
from report_pipeline.appdb.store import AppStore
from report_pipeline.settings import Settings, load_settings
from report_pipeline.storage.catalog import EmbeddedCatalog

SECRET = "test-secret-" + "x" * 40
ISSUER, AUDIENCE = "https://auth.example.test/", "report-pipeline-api"
JWT = JwtConfig("HS256", SECRET, ISSUER, AUDIENCE)
ROLES = ("admin", "operator", "analyst", "subscriber", "service")
WEEK = date(2024, 3, 4)


def make_token(
    *roles: str,
    email: str | None = None,
    sub: str | None = None,
    key: str = SECRET,
    algorithm: str = "HS256",
    **claims,
) -> str:
    now = int(time.time())
    payload = {
        "sub": sub or f"user-{'-'.join(roles) or 'none'}",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "roles": list(roles),
        **claims,
    }
    if email:
        payload["email"] = email
    return jwt.encode(payload, key, algorithm=algorithm)


def auth(*roles: str, email: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(*roles, email=email)}"}


@dataclass
class RecordingLauncher:
    """Stands in for Dagster where a test is about the API, not the run."""

    calls: list[tuple[str, date, bool]] = field(default_factory=list)
    fail: bool = False
    email_reports: list[int | None] = field(default_factory=list)  # report id of each send

    def launch_week(self, week: date, force: bool) -> str:
        return self._launch("week", week, force)

    def launch_emails(self, week: date, force: bool, report_id: int | None = None) -> str:
        run_id = self._launch("emails", week, force)
        self.email_reports.append(report_id)
        return run_id

    def _launch(self, kind: str, week: date, force: bool) -> str:
        if self.fail:
            raise LaunchError("Dagster webserver unreachable: ConnectionError")
        self.calls.append((kind, week, force))
        return uuid.uuid4().hex


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, settings: Settings) -> AppStore:
    url = (
        settings.database_url
        if request.param == "sqlite"
        else (request.getfixturevalue("postgres_url"))
    )
    app_store = AppStore(url)
    app_store.upgrade()
    yield app_store
    app_store.engine.dispose()


@pytest.fixture
def sqlite_store(settings: Settings) -> AppStore:
    app_store = AppStore(settings.database_url)
    app_store.upgrade()
    return app_store


@pytest.fixture
def launcher() -> RecordingLauncher:
    return RecordingLauncher()


@pytest.fixture
def catalog(settings: Settings) -> EmbeddedCatalog:
    return EmbeddedCatalog(Path(settings.catalog_path))


def build_client(settings, store, launcher, catalog) -> TestClient:
    config = ApiConfig(
        jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
    )
    app = create_app(settings, config=config, store=store, launcher=launcher, catalog=catalog)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(settings, store, launcher, catalog) -> TestClient:
    with build_client(settings, store, launcher, catalog) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(settings, sqlite_store, launcher, catalog) -> TestClient:
    with build_client(settings, sqlite_store, launcher, catalog) as test_client:
        yield test_client


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def past_week(weeks_ago: int = 1) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


@pytest.fixture
def pipeline_settings(settings, postgres_url, monkeypatch):
    """Embedded services, but the app database on PostgreSQL (the run's child sees it too)."""
    monkeypatch.setenv("REPORT_PIPELINE_DATABASE_URL", postgres_url)
    AppStore(postgres_url).upgrade()
    return load_settings()
