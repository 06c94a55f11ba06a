"""The code location: assets, jobs, schedule, sensor and resources from the environment."""

from dagster import Definitions, EnvVar

from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.jobs import email_job, weekly_report_job
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.defs.schedules import weekly_report_schedule
from report_pipeline.defs.sensors import email_on_report_sensor
from report_pipeline.resources import (
    AppDatabaseResource, CatalogResource, MailerResource, ObjectStoreResource,
)
from report_pipeline.settings import Settings, load_settings


def build_resources(settings: Settings) -> dict:
    """Resources for the configured environment; secrets stay EnvVar references."""
    return {
        "object_store": ObjectStoreResource(
            kind=settings.object_store, root=str(settings.objects_dir),
            bucket=settings.env("REPORT_PIPELINE_S3_BUCKET", ""),
            prefix=settings.env("REPORT_PIPELINE_S3_PREFIX", ""),
            endpoint_url=settings.env("REPORT_PIPELINE_S3_ENDPOINT_URL"),
            region_name=settings.env("AWS_REGION"),
            kms_key_id=settings.env("REPORT_PIPELINE_S3_KMS_KEY_ID"),
        ),
        "catalog": CatalogResource(
            kind=settings.catalog, path=str(settings.catalog_path),
            mongo_uri=EnvVar("REPORT_PIPELINE_MONGO_URI") if settings.catalog == "mongodb"
            else None,
            database=settings.env("REPORT_PIPELINE_MONGO_DATABASE", "documents"),
            collection=settings.env("REPORT_PIPELINE_MONGO_COLLECTION", "documents"),
        ),
        "app_database": AppDatabaseResource(
            url=EnvVar("REPORT_PIPELINE_DATABASE_URL") if settings.database_is_external
            else settings.database_url,
        ),
        "mailer": MailerResource(
            kind=settings.mailer, sender=settings.mail_from, outbox_dir=str(settings.outbox_dir),
            smtp_host=settings.env("REPORT_PIPELINE_SMTP_HOST", "localhost"),
            smtp_port=int(settings.env("REPORT_PIPELINE_SMTP_PORT", "25")),
            smtp_security=settings.env("REPORT_PIPELINE_SMTP_SECURITY", "starttls"),
            smtp_username=settings.env("REPORT_PIPELINE_SMTP_USERNAME"),
            smtp_password=EnvVar("REPORT_PIPELINE_SMTP_PASSWORD")
            if settings.env("REPORT_PIPELINE_SMTP_PASSWORD") else None,
        ),
    }


defs = Definitions(
    assets=[document_manifest, document_features, weekly_report, email_deliveries],
    jobs=[weekly_report_job, email_job],
    schedules=[weekly_report_schedule],
    sensors=[email_on_report_sensor],
    resources=build_resources(load_settings()),
)
