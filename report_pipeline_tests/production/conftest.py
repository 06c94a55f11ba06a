"""The production configuration on real services: PostgreSQL, S3 (moto server), MongoDB.

`production` sets the environment exactly as a deployment would (see the
docs/deployment.md, "Production and scaling") and gives the instance home with
deploy/dagster.yaml in it; the catalog is embedded unless a test asks for
`mongo_catalog` (mongomock in-process, or REPORT_PIPELINE_TEST_MONGO_URI).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from dagster import DagsterInstance

from report_pipeline.appdb.store import AppStore
from report_pipeline.settings import Settings, load_settings
from report_pipeline_tests.production.services import (
    mongo_uri,
    pg_env,
    real_mongo_uri,
    unique_name,
)
from report_pipeline_tests.services import throwaway_database

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class Production:
    home: Path
    env: dict[str, str]
    bucket: str
    s3: Any  # a boto3 S3 client on the moto server

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def settings(self) -> Settings:
        return load_settings()

    def instance(self) -> DagsterInstance:
        return DagsterInstance.from_config(str(self.dagster_home))


@pytest.fixture
def instance_database(postgres_dsn: str) -> Iterator[str]:
    """A second throwaway database: Dagster's tables apart from the app's."""
    with throwaway_database(postgres_dsn) as url:
        yield url


@pytest.fixture
def production(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
    instance_database: str,
    s3_endpoint: str,
) -> Production:
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster" / "dagster.yaml")
    AppStore(postgres_url).upgrade()  # the deployment's `migrate` step
    bucket = unique_name("reports")
    env = {
        **AWS_TEST_ENV,
        **pg_env(instance_database),
        "REPORT_PIPELINE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "REPORT_PIPELINE_OBJECT_STORE": "s3",
        "REPORT_PIPELINE_S3_BUCKET": bucket,
        "REPORT_PIPELINE_S3_PREFIX": "pipeline",
        "REPORT_PIPELINE_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ENDPOINT_URL_S3": s3_endpoint,  # read by boto3 itself: the compute log manager
        "DAGSTER_COMPUTE_LOG_BUCKET": bucket,
        "DAGSTER_COMPUTE_LOG_PREFIX": "compute-logs",
        "REPORT_PIPELINE_DATABASE_URL": postgres_url,
        "REPORT_PIPELINE_CATALOG": "embedded",
        "REPORT_PIPELINE_MAILER": "outbox",
        "REPORT_PIPELINE_BATCH_SIZE": "2",
        # The test week holds one broken image of six on purpose: mail it anyway.
        "REPORT_PIPELINE_MAX_FAILED_SHARE": "0.5",
    }
    for name in (
        "REPORT_PIPELINE_S3_KMS_KEY_ID",
        "REPORT_PIPELINE_EXECUTOR",
        "REPORT_PIPELINE_MONGO_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    return Production(home=home, env=env, bucket=bucket, s3=s3)


@pytest.fixture
def mongo_catalog(production: Production, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Switch `production` to the MongoDB catalog; yields the database name."""
    database = unique_name("rp-test").replace("-", "_")
    with mongo_uri() as uri:
        for name, value in {
            "REPORT_PIPELINE_CATALOG": "mongodb",
            "REPORT_PIPELINE_MONGO_URI": uri,
            "REPORT_PIPELINE_MONGO_DATABASE": database,
            "REPORT_PIPELINE_MONGO_TIMEOUT_MS": "5000",
        }.items():
            monkeypatch.setenv(name, value)
            production.env[name] = value
        yield database
        if real_mongo_uri():
            import pymongo

            pymongo.MongoClient(uri).drop_database(database)


# The aiosmtpd server of the delivery tests: the production week mails through real SMTP.
from report_pipeline_tests.delivery.conftest import smtp_server, smtp_server_factory  # noqa: E402, F401
