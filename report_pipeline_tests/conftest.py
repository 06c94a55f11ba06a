from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from report_pipeline.settings import Settings, load_settings
from report_pipeline_tests.services import moto_s3_server, postgres_server, throwaway_database

# No test may write into the developer's ./var or the real DAGSTER_HOME.
os.environ.setdefault("REPORT_PIPELINE_HOME", "/nonexistent-report-pipeline-home")
# The tests' fixed weeks are in 2024, before the product's default first week
# (2026-01-05): say so here rather than rely on any default.
os.environ.setdefault("REPORT_PIPELINE_FIRST_WEEK", "2024-01-01")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Embedded-default settings rooted in a fresh temporary directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("REPORT_PIPELINE_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    for name in (
        "REPORT_PIPELINE_DATABASE_URL",
        "REPORT_PIPELINE_OBJECT_STORE",
        "REPORT_PIPELINE_CATALOG",
        "REPORT_PIPELINE_MAILER",
    ):
        monkeypatch.delenv(name, raising=False)
    (home / "dagster").mkdir(parents=True)
    return load_settings()


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    with postgres_server() as dsn:
        yield dsn


@pytest.fixture
def postgres_url(postgres_dsn: str) -> str:
    with throwaway_database(postgres_dsn) as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    with moto_s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    from report_pipeline_tests.production.services import redis_server

    with redis_server() as url:
        yield url
