"""Tests' one way to materialize a week's report chain on a given Dagster instance."""

from __future__ import annotations

from datetime import date

from dagster import DagsterInstance, materialize

from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.resources.build import build_resources
from report_pipeline.settings import Settings

REPORT_CHAIN = [document_manifest, document_features, weekly_report]


def materialize_week(settings: Settings, instance: DagsterInstance, week: date):
    """Manifest, features and report of ``week``; asserts the run succeeded."""
    result = materialize(
        REPORT_CHAIN,
        partition_key=week.isoformat(),
        instance=instance,
        resources=build_resources(settings),
    )
    assert result.success
    return result
