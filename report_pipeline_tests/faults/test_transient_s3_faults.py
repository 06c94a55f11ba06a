"""A week through S3 behind a proxy that fails ~1 request in 5 ends as a clean week does."""

from __future__ import annotations

import json

import boto3
import pytest
from dagster import DagsterInstance, materialize

from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.faults.fault_proxy import FaultProxy
from report_pipeline_tests.faults.weeks import WEEK, seed_fault_week


def _environment(monkeypatch, settings, endpoint: str, prefix: str) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_OBJECT_STORE", "s3")
    monkeypatch.setenv("REPORT_PIPELINE_S3_BUCKET", "faults")
    monkeypatch.setenv("REPORT_PIPELINE_S3_PREFIX", prefix)
    monkeypatch.setenv("REPORT_PIPELINE_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("REPORT_PIPELINE_S3_MAX_ATTEMPTS", "10")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "0.5")


def _week(settings_factory, endpoint: str, seed_endpoint: str, prefix: str) -> dict:
    settings = settings_factory(endpoint, prefix)
    resources = build_resources(settings)  # reads the environment now: the run's endpoint
    # Seed through the clean endpoint: the faults are for the run, not the set-up.
    seeding = open_services(settings_factory(seed_endpoint, prefix))
    seed_fault_week(seeding, notes=6)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [document_manifest, document_features, weekly_report],
            partition_key=WEEK.isoformat(),
            instance=instance,
            resources=resources,
        )
    assert result.success
    services = open_services(settings)
    features = json.loads(services.store.get(f"features/weeks/{WEEK}/features.json"))
    published = json.loads(services.store.get(f"reports/{WEEK}/manifest.json"))
    results = sorted(
        (
            {k: v for k, v in r.items() if k not in ("seconds", "cached")}
            for r in features["results"]
        ),
        key=lambda r: r["document_id"],
    )
    return {
        "results": results,
        "summary": published["summary"],
        "documents": published["documents"],
    }


@pytest.mark.slow
def test_a_week_through_a_faulty_s3_equals_a_clean_week(
    s3_endpoint, settings, monkeypatch, tmp_path
) -> None:
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket="faults")
    from report_pipeline.settings import load_settings

    def settings_for(endpoint: str, prefix: str):
        _environment(monkeypatch, settings, endpoint, prefix)
        monkeypatch.setenv("REPORT_PIPELINE_HOME", str(tmp_path / prefix))
        return load_settings()

    clean = _week(settings_for, s3_endpoint, s3_endpoint, "clean")
    with FaultProxy(s3_endpoint, fault_rate=0.2, seed=11) as proxy:
        faulty = _week(settings_for, proxy.url, s3_endpoint, "faulty")
    injected = sum(n for kind, n in proxy.counts.items() if kind != "forward")
    print(f"proxy: {dict(proxy.counts)}")
    assert injected >= 10 and proxy.counts["reset"] and proxy.counts["503"] + proxy.counts["500"]
    assert faulty == clean
