"""The code location's resources for the configured environment.

Secrets stay ``EnvVar`` references: Dagster resolves them in the step process,
so they never appear in run config, the UI or event logs.
"""

from __future__ import annotations

from dagster import EnvVar

from report_pipeline.resources.configurable import (
    AppDatabaseResource,
    CatalogResource,
    MailerResource,
    ObjectStoreResource,
)
from report_pipeline.resources.io_manager import ObjectStoreIOManager
from report_pipeline.settings import Settings


def build_catalog(settings: Settings) -> CatalogResource:
    mongo = settings.catalog == "mongodb"
    return CatalogResource.from_settings(
        settings, mongo_uri=EnvVar("REPORT_PIPELINE_MONGO_URI") if mongo else None
    )


def build_resources(settings: Settings) -> dict:
    database_url = (
        EnvVar("REPORT_PIPELINE_DATABASE_URL")
        if settings.database_is_external
        else settings.database_url
    )
    resources: dict = {
        "object_store": ObjectStoreResource.from_settings(settings),
        "catalog": build_catalog(settings),
        "app_database": AppDatabaseResource(
            url=database_url, auto_upgrade=not settings.database_is_external
        ),
        "mailer": MailerResource.from_settings(
            settings,
            smtp_password=EnvVar("REPORT_PIPELINE_SMTP_PASSWORD")
            if settings.smtp.password
            else None,
            redis_url=EnvVar("REPORT_PIPELINE_REDIS_URL") if settings.redis_url else None,
            rate_database_url=database_url,
        ),
    }
    if settings.object_store == "s3":
        # Steps may run on other machines (Celery, Kubernetes): hand outputs over
        # through the bucket instead of the instance's local storage directory.
        resources["io_manager"] = ObjectStoreIOManager.from_settings(settings)
    return resources
