"""The send rate in the app database (no Redis): one row under lock, shared by every sender."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_pipeline.appdb.send_rate import DatabaseSendRate
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.rate import default_burst
from report_pipeline_tests.delivery.shared_rate import assert_within_rate, take_in_processes


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = (
        f"sqlite:///{tmp_path / 'app.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    AppStore(url).upgrade()
    return url


def test_two_limiters_share_one_row(database_url: str) -> None:
    first = DatabaseSendRate(AppStore(database_url), "smtp", rate=1, burst=2)
    second = DatabaseSendRate(AppStore(database_url), "smtp", rate=1, burst=2)
    other = DatabaseSendRate(AppStore(database_url), "ses", rate=5, burst=1)
    assert first._reserve() == 0.0
    assert second._reserve() == 0.0
    # Both reserve from one balance: each further token waits for the refill
    # (less whatever time passed between the calls on a busy machine).
    assert 0 < first._reserve() <= 1.0  # the shared burst is used up
    assert 0 < second._reserve() <= 2.0
    assert other._reserve() == 0.0  # another provider's bucket is its own


def test_two_sender_processes_together_stay_within_the_rate(database_url: str) -> None:
    rate = 40.0
    times = take_in_processes("database", database_url, "smtp", rate, each=150, processes=2)
    assert len(times) == 300
    assert_within_rate(times, rate, default_burst(rate))
