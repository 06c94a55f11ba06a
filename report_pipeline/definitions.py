"""The code location: assets, jobs, schedule, sensor and resources from the environment."""

from dagster import Definitions, EnvVar

from report_pipeline.defs.alerts import alert_sensors
from report_pipeline.defs.checks import asset_checks
from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.jobs import email_job, weekly_report_job
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.defs.report_state_sensor import report_state_sensor
from report_pipeline.defs.schedules import weekly_report_schedule
from report_pipeline.defs.sensors import email_on_report_sensor
from report_pipeline.resources import (
    AppDatabaseResource, CatalogResource, MailerResource, ObjectStoreResource,
)
from report_pipeline.resources.io_manager import ObjectStoreIOManager
from report_pipeline.settings import Settings, load_settings


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def object_store_config(settings: Settings) -> dict:
    env = settings.env
    return dict(
        kind=settings.object_store, root=str(settings.objects_dir),
        bucket=env("REPORT_PIPELINE_S3_BUCKET", ""),
        prefix=env("REPORT_PIPELINE_S3_PREFIX", ""),
        endpoint_url=env("REPORT_PIPELINE_S3_ENDPOINT_URL"),
        region_name=env("AWS_REGION") or env("AWS_DEFAULT_REGION"),
        max_attempts=int(env("REPORT_PIPELINE_S3_MAX_ATTEMPTS", "5")),
        retry_mode=env("REPORT_PIPELINE_S3_RETRY_MODE", "standard"),
        kms_key_id=env("REPORT_PIPELINE_S3_KMS_KEY_ID"),
    )


def build_catalog(settings: Settings) -> CatalogResource:
    env, mongo = settings.env, settings.catalog == "mongodb"
    timeout_ms = int(env("REPORT_PIPELINE_MONGO_TIMEOUT_MS", "10000"))
    return CatalogResource(
        kind=settings.catalog, path=str(settings.catalog_path),
        # The URI carries the password: an EnvVar reference, resolved in the step process.
        mongo_uri=EnvVar("REPORT_PIPELINE_MONGO_URI") if mongo else None,
        database=env("REPORT_PIPELINE_MONGO_DATABASE", "documents"),
        collection=env("REPORT_PIPELINE_MONGO_COLLECTION", "documents"),
        tls=_flag(env("REPORT_PIPELINE_MONGO_TLS")),
        tls_ca_file=env("REPORT_PIPELINE_MONGO_TLS_CA_FILE"),
        retry_writes=bool(_flag(env("REPORT_PIPELINE_MONGO_RETRY_WRITES", "false"))),
        read_preference=env("REPORT_PIPELINE_MONGO_READ_PREFERENCE", "primaryPreferred"),
        server_selection_timeout_ms=timeout_ms, connect_timeout_ms=timeout_ms,
    )


def build_resources(settings: Settings) -> dict:
    """Resources for the configured environment; secrets stay EnvVar references."""
    resources: dict = {
        "object_store": ObjectStoreResource(**object_store_config(settings)),
        "catalog": build_catalog(settings),
        "app_database": AppDatabaseResource(
            url=EnvVar("REPORT_PIPELINE_DATABASE_URL") if settings.database_is_external
            else settings.database_url,
            auto_upgrade=not settings.database_is_external,
        ),
        "mailer": MailerResource(
            kind=settings.mailer, sender=settings.mail_from, outbox_dir=str(settings.outbox_dir),
            smtp_host=settings.env("REPORT_PIPELINE_SMTP_HOST", "localhost"),
            smtp_port=int(settings.env("REPORT_PIPELINE_SMTP_PORT", "25")),
            smtp_security=settings.env("REPORT_PIPELINE_SMTP_SECURITY", "starttls"),
            smtp_username=settings.env("REPORT_PIPELINE_SMTP_USERNAME"),
            smtp_password=EnvVar("REPORT_PIPELINE_SMTP_PASSWORD")
            if settings.env("REPORT_PIPELINE_SMTP_PASSWORD") else None,
            ses_region=settings.env("AWS_REGION") or settings.env("AWS_DEFAULT_REGION"),
            ses_endpoint_url=settings.env("REPORT_PIPELINE_SES_ENDPOINT_URL"),
            ses_configuration_set=settings.env("REPORT_PIPELINE_SES_CONFIGURATION_SET"),
            ses_max_send_rate=float(rate) if (
                rate := settings.env("REPORT_PIPELINE_SES_MAX_SEND_RATE")) else None,
        ),
    }
    if settings.object_store == "s3":
        # Steps may run on other machines (Celery, Kubernetes): hand outputs over
        # through the bucket instead of the instance's local storage directory.
        resources["io_manager"] = ObjectStoreIOManager(**object_store_config(settings))
    return resources


defs = Definitions(
    assets=[document_manifest, document_features, weekly_report, email_deliveries],
    asset_checks=asset_checks,
    jobs=[weekly_report_job, email_job],
    schedules=[weekly_report_schedule],
    sensors=[email_on_report_sensor, report_state_sensor, *alert_sensors],
    resources=build_resources(load_settings()),
)
