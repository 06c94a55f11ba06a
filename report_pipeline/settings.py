"""Where the product keeps its state, read once from the environment.

With no environment variables set, everything lives under a project-local
directory (``REPORT_PIPELINE_HOME``, default ``./var``) and nothing external is
needed. Production services are switched on by the variables listed in the
README; secrets are only ever read from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_FIRST_WEEK = "2020-01-06"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    home: Path
    object_store: str
    catalog: str
    database_url: str
    mailer: str
    first_week: date
    batch_size: int
    schedule_timezone: str
    mail_from: str

    @staticmethod
    def env(name: str, default: str | None = None) -> str | None:
        """A production setting read straight from the environment."""
        return _env(name, default)

    @property
    def database_is_external(self) -> bool:
        return _env("REPORT_PIPELINE_DATABASE_URL") is not None

    @property
    def objects_dir(self) -> Path:
        return self.home / "objects"

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def dagster_home(self) -> Path:
        return Path(_env("DAGSTER_HOME") or self.home / "dagster")


def load_settings() -> Settings:
    home = Path(_env("REPORT_PIPELINE_HOME", "var")).resolve()
    return Settings(
        home=home,
        object_store=_env("REPORT_PIPELINE_OBJECT_STORE", "local"),
        catalog=_env("REPORT_PIPELINE_CATALOG", "embedded"),
        database_url=_env("REPORT_PIPELINE_DATABASE_URL", f"sqlite:///{home / 'app.sqlite3'}"),
        mailer=_env("REPORT_PIPELINE_MAILER", "outbox"),
        first_week=date.fromisoformat(_env("REPORT_PIPELINE_FIRST_WEEK", DEFAULT_FIRST_WEEK)),
        batch_size=int(_env("REPORT_PIPELINE_BATCH_SIZE", "16")),
        schedule_timezone=_env("REPORT_PIPELINE_SCHEDULE_TIMEZONE", "UTC"),
        mail_from=_env("REPORT_PIPELINE_MAIL_FROM", "reports@example.com"),
    )
