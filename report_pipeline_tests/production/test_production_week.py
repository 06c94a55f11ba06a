"""A whole week through the production configuration.

Dagster instance from deploy/dagster.yaml on PostgreSQL, objects and step
outputs in S3 (moto server over HTTP), the catalog through pymongo, the app
database on PostgreSQL, mail through SES (moto server) or SMTP (aiosmtpd).
"""

from __future__ import annotations

import re
import uuid

import boto3
import httpx
import pytest
from dagster import AssetKey, materialize
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline.storage.catalog import MongoCatalog
from report_pipeline_tests.production.weeks import (
    ALL_ASSETS,
    SUBSCRIBERS,
    WEEK,
    WEEK_KEY,
    seed_week,
)

SECRET = "s3cret-db-pw"  # PostgreSQL here trusts 127.0.0.1, so any password connects


def _use_smtp(request, monkeypatch):
    """Mail through aiosmtpd; returns {recipient: message} received so far."""
    server = request.getfixturevalue("smtp_server")
    for name, value in {
        "REPORT_PIPELINE_MAILER": "smtp",
        "REPORT_PIPELINE_SMTP_HOST": server.host,
        "REPORT_PIPELINE_SMTP_PORT": str(server.port),
        "REPORT_PIPELINE_SMTP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(name, value)
    return lambda: {m.rcpt_tos[0]: m.message for m in server.messages}


def _use_ses(request, monkeypatch):
    """Mail through SES v2 on the moto server (it speaks every AWS API)."""
    from email import policy
    from email.parser import BytesParser
    from email.utils import parseaddr

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    endpoint = request.getfixturevalue("s3_endpoint")
    sender = f"reports-{uuid.uuid4().hex[:8]}@example.com"
    boto3.client("sesv2", region_name="us-east-1", endpoint_url=endpoint).create_email_identity(
        EmailIdentity=sender
    )
    for name, value in {
        "REPORT_PIPELINE_MAILER": "ses",
        "REPORT_PIPELINE_MAIL_FROM": sender,
        "REPORT_PIPELINE_SES_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)

    def received() -> dict:
        parse = BytesParser(policy=policy.default).parsebytes
        # The source carries the From display name (issue 15): compare the address.
        messages = [
            m
            for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
            if parseaddr(getattr(m, "source", ""))[1] == sender
        ]
        return {m.destinations[0]: parse(m.raw_data.encode()) for m in messages}

    return received


def _with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{SECRET}@{host}"


@pytest.mark.parametrize("use_mailer", [_use_ses, _use_smtp], ids=["ses", "smtp"])
def test_a_week_on_postgres_s3_and_mongodb(
    production, mongo_catalog, monkeypatch, request, use_mailer
) -> None:
    received_messages = use_mailer(request, monkeypatch)
    monkeypatch.setenv(
        "REPORT_PIPELINE_DATABASE_URL",
        _with_password(production.env["REPORT_PIPELINE_DATABASE_URL"]),
    )
    settings = production.settings()
    services = open_services(settings)
    assert isinstance(services.catalog, MongoCatalog)
    seed_week(services)

    with production.instance() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        result = materialize(
            ALL_ASSETS,
            partition_key=WEEK_KEY,
            instance=instance,
            resources=build_resources(settings),
        )
        assert result.success
        [record] = instance.fetch_materializations(AssetKey("weekly_report"), limit=5).records
        assert record.partition_key == WEEK_KEY and record.run_id == result.run_id
        stored = "\n".join(str(entry) for entry in instance.all_logs(result.run_id))
        stored += str(instance.get_run_by_id(result.run_id).run_config)
    assert SECRET not in stored  # secrets stay EnvVar references, out of config and events

    report = services.app.latest_report(WEEK)
    assert (report.state, report.documents_total, report.documents_failed) == ("succeeded", 6, 1)
    assert report.report_uri == (
        f"s3://{production.bucket}/pipeline/reports/{WEEK_KEY}/{report.pdf_sha256}"
        "/weekly-report.pdf"
    )

    pdf = services.store.get(report.pdf_key)
    assert pdf.startswith(b"%PDF")
    received = received_messages()
    assert set(received) == set(SUBSCRIBERS)
    for message in received.values():
        # Production (S3) delivers by link: no PDF in the email, a presigned URL to it.
        assert list(message.iter_attachments()) == []
        text = message.get_body(("plain",)).get_content()
        url = re.search(r"Download the full report: (\S+)", text)[1]
        assert f"/pipeline/{report.pdf_key}?" in url
        assert httpx.get(url).content == pdf


def test_every_object_the_week_writes_is_encrypted(production) -> None:
    settings = production.settings()
    seed_week(open_services(settings))
    with production.instance() as instance:
        assert materialize(
            ALL_ASSETS,
            partition_key=WEEK_KEY,
            instance=instance,
            resources=build_resources(settings),
        ).success
    keys = [
        obj["Key"]
        for page in production.s3.get_paginator("list_objects_v2").paginate(
            Bucket=production.bucket, Prefix="pipeline/"
        )
        for obj in page.get("Contents", [])
    ]
    # documents, manifest, feature cache, week features, PDF, report manifest, step outputs
    for expected in (
        "pipeline/customers/",
        "pipeline/manifests/",
        "pipeline/features/cache/",
        f"pipeline/reports/{WEEK_KEY}/",
        "pipeline/dagster-io/",
    ):
        assert any(key.startswith(expected) for key in keys), expected
    for key in keys:
        head = production.s3.head_object(Bucket=production.bucket, Key=key)
        assert head.get("ServerSideEncryption") == "AES256", key


def test_a_kms_key_id_switches_every_write_to_sse_kms(production, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_S3_KMS_KEY_ID", "alias/report-pipeline")
    store = open_services(production.settings()).store
    store.put("probe/kms.txt", b"phi")
    head = production.s3.head_object(Bucket=production.bucket, Key="pipeline/probe/kms.txt")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("alias/report-pipeline")


def test_the_embedded_default_still_needs_nothing_external(settings) -> None:
    resources = build_resources(settings)
    assert "io_manager" not in resources  # Dagster's own, under the local instance
    services = open_services(settings)
    assert type(services.store).__name__ == "LocalObjectStore"
    assert type(services.catalog).__name__ == "EmbeddedCatalog"
    assert services.app.url.startswith("sqlite:///")
