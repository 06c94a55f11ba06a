"""Each resource's backend fields against the settings dataclass that declares them."""

from __future__ import annotations

from dataclasses import fields

import pytest

from report_pipeline.resources.configurable import (
    CatalogResource,
    MailerResource,
    ObjectStoreResource,
)
from report_pipeline.settings import MongoSettings, S3Settings, SesSettings, SmtpSettings

# Resource field -> settings field, where the resource's name says which backend it is for.
CASES = [
    (ObjectStoreResource, S3Settings, "", {"region_name": "region"}),
    (
        CatalogResource,
        MongoSettings,
        "",
        {
            "mongo_uri": "uri",
            "server_selection_timeout_ms": "timeout_ms",
            "connect_timeout_ms": "timeout_ms",
        },
    ),
    (MailerResource, SmtpSettings, "smtp_", {}),
    (MailerResource, SesSettings, "ses_", {}),
]
NOT_SETTINGS = {"kind", "root", "path", "sse", "customer_pattern", "sender", "outbox_dir"}
NOT_RESOURCE = {"sns_topic_arns"}  # read by the API's SNS endpoint, not by the mailer


@pytest.mark.parametrize(("resource", "declared", "prefix", "renamed"), CASES)
def test_every_resource_field_is_a_declared_setting(resource, declared, prefix, renamed) -> None:
    names = {f.name for f in fields(declared)}
    own = [n for n in resource.model_fields if n.startswith(prefix) and n not in NOT_SETTINGS]
    if not prefix:  # the catalog/object store resources hold one backend's fields each
        extra = {n for n in own if renamed.get(n, n) not in names}
        assert not extra, f"{resource.__name__} fields not in {declared.__name__}: {extra}"
    mapped = {renamed.get(n, n.removeprefix(prefix)) for n in own}
    missing = names - mapped - NOT_RESOURCE
    assert not missing, f"{declared.__name__} fields missing from {resource.__name__}: {missing}"


def test_resources_hand_the_settings_back_unchanged() -> None:
    from dataclasses import replace

    from report_pipeline.resources.configurable import _nested
    from report_pipeline.resources.connections import object_store_config
    from report_pipeline.settings import load_settings

    settings = load_settings(
        {
            "REPORT_PIPELINE_OBJECT_STORE": "s3",
            "REPORT_PIPELINE_S3_BUCKET": "b",
            "REPORT_PIPELINE_S3_RETRY_MODE": "adaptive",
            "AWS_REGION": "eu-west-1",
            "REPORT_PIPELINE_MAILER": "smtp",
            "REPORT_PIPELINE_SMTP_HOST": "mail.example.com",
            "REPORT_PIPELINE_SMTP_USERNAME": "reports",
            "REPORT_PIPELINE_SMTP_PASSWORD": "pw-from-env",
            "REPORT_PIPELINE_SMTP_MAX_RATE": "3",
            "REPORT_PIPELINE_SES_CONFIGURATION_SET": "weekly",
        }
    )
    store = ObjectStoreResource.from_settings(settings)
    assert store.backend_config() == object_store_config(settings)
    mailer = MailerResource.from_settings(settings, smtp_password="pw-from-env")
    assert _nested(mailer, SmtpSettings, "smtp_") == settings.smtp
    assert _nested(mailer, SesSettings, "ses_") == replace(settings.ses, sns_topic_arns=())
    # the secret is whatever the caller hands in (an EnvVar in build_resources), never copied
    assert MailerResource.from_settings(settings).smtp_password is None
