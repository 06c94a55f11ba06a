from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from report_pipeline_tests.cli.conftest import Cli
from report_pipeline_tests.faults.smtp_sink import SmtpSink
from report_pipeline_tests.faults.weeks import BUCKET, run_fault_week, week_environment
from report_pipeline_tests.services import create_bucket, throwaway_database


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server for one test, faults off until the test sets them."""
    started = SmtpSink().start()
    yield started
    started.stop()


NOTES = [f"Visit {number}: stable, no adverse events." for number in range(3)]


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[str]], Path]:
    """A state directory holding the week's three notes and `subscribers`, seeded through
    the CLI once per list of subscribers; each test runs on a copy (`Cli.copy_state`)."""
    templates: dict[tuple[str, ...], Path] = {}

    def template(subscribers: list[str]) -> Path:
        if tuple(subscribers) not in templates:
            root = tmp_path_factory.mktemp("seeded")
            cli = Cli(root / "home")
            cli.add_notes(root, NOTES)
            added = cli("subscribers", "add", *subscribers)
            assert added.returncode == 0, added.stderr
            templates[tuple(subscribers)] = cli.home
        return templates[tuple(subscribers)]

    return template


@pytest.fixture(scope="session")
def fault_bucket(s3_endpoint: str) -> str:
    create_bucket(s3_endpoint, BUCKET)
    return s3_endpoint


@pytest.fixture(scope="session")
def clean_fault_week(
    fault_bucket: str, postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """The fault week run once without faults: what every faulty run of it must equal.
    Read only, so the transient-fault tests share it."""
    with throwaway_database(postgres_dsn) as url:
        home = Path(tmp_path_factory.mktemp("clean"))
        outcome, _retries = run_fault_week(week_environment(home, fault_bucket, url))
        yield outcome
