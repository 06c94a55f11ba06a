"""A week through S3 behind a proxy that fails ~1 request in 5 ends as a clean week does."""

from __future__ import annotations

import pytest

from report_pipeline_tests.faults.fault_proxy import FaultProxy
from report_pipeline_tests.faults.weeks import run_fault_week, week_environment


@pytest.mark.slow
def test_a_week_through_a_faulty_s3_equals_a_clean_week(
    clean_fault_week, fault_bucket, postgres_url, tmp_path
) -> None:
    clean = week_environment(tmp_path / "faulty", fault_bucket, postgres_url)
    with FaultProxy(fault_bucket, fault_rate=0.2, seed=11) as proxy:
        proxied = {**clean, "REPORT_PIPELINE_S3_ENDPOINT_URL": proxy.url}
        faulty, _retries = run_fault_week(clean, proxied)
    injected = sum(n for kind, n in proxy.counts.items() if kind != "forward")
    print(f"proxy: {dict(proxy.counts)}")
    assert injected >= 10 and proxy.counts["reset"] and proxy.counts["503"] + proxy.counts["500"]
    assert faulty == clean_fault_week
