"""The code location: assets, jobs, schedule, sensor and resources from the environment."""

from dagster import Definitions

from report_pipeline.defs.alerts import alert_sensors
from report_pipeline.defs.checks import asset_checks
from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.jobs import email_job, weekly_report_job
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.read_ahead import (
    documents_read_ahead,
    read_ahead_job,
    read_ahead_schedule,
)
from report_pipeline.defs.report import weekly_report
from report_pipeline.defs.report_state_sensor import report_state_sensors
from report_pipeline.defs.retention import retention_job, weekly_retention_schedule
from report_pipeline.defs.schedules import weekly_report_schedule
from report_pipeline.defs.sensors import email_on_report_sensor
from report_pipeline.resources.build import build_resources
from report_pipeline.settings import load_settings

defs = Definitions(
    assets=[
        document_manifest,
        document_features,
        weekly_report,
        email_deliveries,
        documents_read_ahead,
    ],
    asset_checks=asset_checks,
    jobs=[weekly_report_job, email_job, retention_job, read_ahead_job],
    schedules=[weekly_report_schedule, weekly_retention_schedule, read_ahead_schedule],
    sensors=[email_on_report_sensor, *report_state_sensors, *alert_sensors],
    resources=build_resources(load_settings()),
)
