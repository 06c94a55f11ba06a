"""A week whose PostgreSQL app database drops connections mid-session ends as a clean week does."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from report_pipeline_tests.faults.tcp_fault_proxy import TcpFaultProxy
from report_pipeline_tests.faults.weeks import NOTES, run_fault_week, week_environment


@pytest.mark.slow
def test_a_week_through_a_database_that_drops_connections_equals_a_clean_week(
    clean_fault_week, fault_bucket, postgres_url, tmp_path
) -> None:
    url = make_url(postgres_url)
    clean = week_environment(tmp_path / "faulty", fault_bucket, postgres_url)
    proxy = TcpFaultProxy((url.host or "127.0.0.1", url.port or 5432), cut_after=600, budget=2)
    try:
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        faulty, retries = run_fault_week(
            clean,
            {**clean, "REPORT_PIPELINE_DATABASE_URL": proxied},
            arm=lambda armed: setattr(proxy, "armed", armed),
        )
    finally:
        proxy.close()
    assert proxy.cuts == 2, "both connection cuts must have happened during the run"
    assert retries, "a cut mid-step must show as a step retry"
    assert faulty == clean_fault_week
    assert clean_fault_week["row"] == ("succeeded", NOTES + 2, 1, None)
