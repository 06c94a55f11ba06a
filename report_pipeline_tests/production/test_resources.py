"""Production resources: the options each client is built with."""

from __future__ import annotations

import subprocess
import sys

import certifi
import pymongo
import pytest
from pymongo import ReadPreference
from sqlalchemy import inspect

from report_pipeline.appdb.store import AppStore, SchemaOutdated
from report_pipeline.defs.jobs import weekly_executor
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.configurable import CatalogResource, ObjectStoreResource
from report_pipeline.settings import load_settings


def test_mongo_client_has_documentdb_options(monkeypatch) -> None:
    for name, value in {
        "REPORT_PIPELINE_CATALOG": "mongodb",
        "REPORT_PIPELINE_MONGO_URI": "mongodb://reader:pw@docdb.invalid:27017/?replicaSet=rs0",
        "REPORT_PIPELINE_MONGO_TLS_CA_FILE": certifi.where(),
        "REPORT_PIPELINE_MONGO_READ_PREFERENCE": "secondaryPreferred",
        "REPORT_PIPELINE_MONGO_TIMEOUT_MS": "1500",
    }.items():
        monkeypatch.setenv(name, value)
    resource = build_resources(load_settings())["catalog"]
    assert (
        resource.mongo_uri.env_var_name == "REPORT_PIPELINE_MONGO_URI"
    )  # an EnvVar, not the value
    collection = resource.process_config_and_initialize().mongo_collection()
    client: pymongo.MongoClient = collection.database.client
    try:
        options = client.options
        assert options.retry_writes is False
        assert options.read_preference == ReadPreference.SECONDARY_PREFERRED
        assert options.server_selection_timeout == 1.5
        assert options.pool_options.connect_timeout == 1.5
        assert options.pool_options._ssl_context is not None  # TLS with the CA bundle
        assert client.options.replica_set_name == "rs0"
    finally:
        client.close()


def test_mongo_defaults_read_the_primary_and_never_retry_writes() -> None:
    options = CatalogResource(kind="mongodb", mongo_uri="mongodb://h").client_options()
    assert options["retryWrites"] is False and options["readPreference"] == "primaryPreferred"
    assert "tls" not in options  # the URI decides unless TLS is configured


def test_s3_client_retries_with_backoff_in_the_configured_mode(s3_endpoint) -> None:
    resource = ObjectStoreResource(
        kind="s3",
        bucket="b",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        max_attempts=7,
        retry_mode="adaptive",
    )
    client = resource.open().client
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 7}
    assert client.meta.endpoint_url == s3_endpoint


def test_an_s3_store_without_a_bucket_is_refused() -> None:
    with pytest.raises(ValueError, match="REPORT_PIPELINE_S3_BUCKET"):
        ObjectStoreResource(kind="s3").open()


@pytest.mark.parametrize(
    "choice, name",
    [
        ("multiprocess", "multiprocess"),
        ("celery", "celery_step_executor"),
        ("k8s", "k8s_step_executor"),
    ],
)
def test_the_executor_is_chosen_by_environment(monkeypatch, choice, name) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_EXECUTOR", choice)
    assert weekly_executor().name == name


def test_an_unknown_executor_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_EXECUTOR", "threads")
    with pytest.raises(ValueError, match="multiprocess, celery or k8s"):
        weekly_executor()


def test_a_production_database_is_never_migrated_by_the_pipeline(
    settings, postgres_url, monkeypatch
) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_DATABASE_URL", postgres_url)
    resource = build_resources(load_settings())["app_database"]
    with pytest.raises(SchemaOutdated, match="report-pipeline db upgrade"):
        resource.process_config_and_initialize().open()
    assert inspect(AppStore(postgres_url).engine).get_table_names() == []  # nothing half-made

    cli = subprocess.run(
        [sys.executable, "-m", "report_pipeline.cli", "subscribers", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1
    assert cli.stderr.strip().splitlines()[-1].startswith("error: the app database schema is at")
    assert "Traceback" not in cli.stderr

    AppStore(postgres_url).upgrade()  # what the deployment's migrate step does
    assert resource.process_config_and_initialize().open().subscribers() == []


def test_a_paced_mailer_shares_its_rate_in_redis_named_by_reference(
    settings, monkeypatch, redis_url
) -> None:
    from report_pipeline.delivery.rate import PacedMailer
    from report_pipeline.storage.redis_send_rate import RedisSendRate

    for name, value in {
        "REPORT_PIPELINE_MAILER": "smtp",
        "REPORT_PIPELINE_SMTP_MAX_RATE": "5",
        "REPORT_PIPELINE_REDIS_URL": redis_url,
    }.items():
        monkeypatch.setenv(name, value)
    resource = build_resources(load_settings())["mailer"]
    assert resource.redis_url.env_var_name == "REPORT_PIPELINE_REDIS_URL"  # not the value
    mailer = resource.process_config_and_initialize().open()
    assert isinstance(mailer, PacedMailer) and isinstance(mailer.rate, RedisSendRate)
    assert mailer.rate.rate == 5.0


def test_without_redis_the_rate_is_shared_in_the_app_database(settings, monkeypatch) -> None:
    from report_pipeline.appdb.send_rate import DatabaseSendRate
    from report_pipeline.resources.connections import open_app_database

    monkeypatch.setenv("REPORT_PIPELINE_MAILER", "smtp")
    monkeypatch.setenv("REPORT_PIPELINE_SMTP_MAX_RATE", "2.5")
    open_app_database(load_settings())  # the embedded database, migrated
    mailer = build_resources(load_settings())["mailer"].process_config_and_initialize().open()
    assert isinstance(mailer.rate, DatabaseSendRate) and mailer.rate.rate == 2.5
    assert mailer.rate.acquire() == 0.0  # a full bucket: the first message goes at once
    # An SMTP relay without a configured rate is not paced at all.
    monkeypatch.delenv("REPORT_PIPELINE_SMTP_MAX_RATE")
    plain = build_resources(load_settings())["mailer"].process_config_and_initialize().open()
    assert type(plain).__name__ == "SmtpMailer"
