"""SES bounce/complaint events: SNS signature checks, suppression, counting, the CLI."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.store import AppStore
from report_pipeline.appdb.suppressions import suppressed, transient_bounce_counts
from report_pipeline.delivery.bounces import SnsVerifier, string_to_sign
from report_pipeline_tests.delivery.api_app import delivery_client

CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-events"


def _certificate() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


KEY, PEM = _certificate()


def signed(envelope: dict, version: str = "2", key: rsa.RSAPrivateKey = KEY) -> dict:
    envelope = {
        "SignatureVersion": version,
        "SigningCertURL": CERT_URL,
        "TopicArn": TOPIC,
        "Timestamp": "2024-03-05T10:00:00.000Z",
        "MessageId": str(uuid.uuid4()),
        **envelope,
    }
    digest = hashes.SHA256() if version == "2" else hashes.SHA1()
    envelope["Signature"] = base64.b64encode(
        key.sign(string_to_sign(envelope), padding.PKCS1v15(), digest)
    ).decode()
    return envelope


def bounce(address: str, bounce_type: str = "Permanent") -> dict:
    return {
        "notificationType": "Bounce",
        "mail": {"messageId": f"ses-{uuid.uuid4()}"},
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "feedbackId": str(uuid.uuid4()),
            "timestamp": "2024-03-05T10:00:00Z",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 unknown",
                }
            ],
        },
    }


def complaint(address: str) -> dict:
    return {
        "eventType": "Complaint",
        "mail": {"messageId": f"ses-{uuid.uuid4()}"},
        "complaint": {
            "feedbackId": str(uuid.uuid4()),
            "complaintFeedbackType": "abuse",
            "complainedRecipients": [{"emailAddress": address}],
        },
    }


def notification(event: dict, **kwargs) -> dict:
    return signed({"Type": "Notification", "Message": json.dumps(event)}, **kwargs)


@pytest.fixture
def store(settings) -> AppStore:
    app = AppStore(settings.database_url)
    app.upgrade()
    return app


@pytest.fixture
def confirmed() -> list[str]:
    return []


@pytest.fixture
def client(settings, store: AppStore, confirmed: list[str]):
    verifier = SnsVerifier(fetch={CERT_URL: PEM}.__getitem__, topic_arns=[TOPIC])
    with delivery_client(
        settings, store, sns_verifier=verifier, sns_confirm=confirmed.append
    ) as test_client:
        yield test_client


def post(client, envelope: dict):
    return client.post(
        "/api/ses/notifications",
        content=json.dumps(envelope),
        headers={"Content-Type": "text/plain; charset=UTF-8"},
    )


@pytest.mark.parametrize("version", ["1", "2"])
def test_permanent_bounce_suppresses_once_and_is_audited(client, store, version) -> None:
    envelope = notification(bounce("Gone@Example.com"), version=version)
    first = post(client, envelope)
    assert first.status_code == 200, first.text
    assert first.json() == {"type": "Notification", "recorded": 1, "duplicates": 0, "suppressed": 1}
    assert post(client, envelope).json()["duplicates"] == 1  # SNS redelivery: no change
    assert suppressed(store) == {"gone@example.com": "bounce-permanent"}
    with store.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "suppress email address")
        ).all()
    assert [(r.target, r.actor) for r in rows] == [("email:gone@example.com", "sns")]


def test_complaint_suppresses_and_transient_bounces_only_count(client, store) -> None:
    assert post(client, notification(complaint("angry@example.com"))).status_code == 200
    for _ in range(2):
        assert (
            post(client, notification(bounce("full@example.com", "Transient"))).json()["suppressed"]
            == 0
        )
    assert suppressed(store) == {"angry@example.com": "complaint"}
    assert transient_bounce_counts(store) == {"full@example.com": 2}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: {**e, "Message": e["Message"].replace("Permanent", "Transient")},
        lambda e: {**e, "SigningCertURL": "https://evil.example.com/cert.pem"},
        lambda e: {**e, "SigningCertURL": CERT_URL.replace("https", "http")},
        lambda e: {**e, "Signature": "not base64!"},
        lambda e: notification(bounce("x@example.com"), key=rsa.generate_private_key(65537, 2048)),
        lambda e: {k: v for k, v in e.items() if k != "Signature"},
    ],
)
def test_forged_or_tampered_messages_are_refused(client, store, tamper) -> None:
    response = post(client, tamper(notification(bounce("victim@example.com"))))
    assert response.status_code == 403
    assert response.json()["error"] == "invalid_signature"
    assert suppressed(store) == {}


def test_messages_from_other_topics_are_refused(client, store) -> None:
    other = signed(
        {
            "Type": "Notification",
            "Message": json.dumps(bounce("v@example.com")),
            "TopicArn": "arn:aws:sns:eu-west-1:999999999999:someone-else",
        }
    )
    assert post(client, other).status_code == 403
    assert suppressed(store) == {}


def test_subscription_confirmation_is_verified_then_confirmed(client, confirmed) -> None:
    url = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
    envelope = signed(
        {
            "Type": "SubscriptionConfirmation",
            "Token": "abc",
            "Message": "You have chosen to subscribe",
            "SubscribeURL": url,
        }
    )
    assert post(client, envelope).json()["type"] == "SubscriptionConfirmation"
    assert confirmed == [url]
    assert post(client, {**envelope, "Token": "other"}).status_code == 403
    assert confirmed == [url]


def test_cli_ingests_files_of_envelopes_and_bare_events(tmp_path, store, settings) -> None:
    from report_pipeline.cli.ses_events import ses_events

    (tmp_path / "one.json").write_text(json.dumps(notification(bounce("a@example.com"))))
    (tmp_path / "many.json").write_text(
        json.dumps([complaint("b@example.com"), bounce("c@example.com", "Transient")])
    )
    runner = CliRunner()
    result = runner.invoke(
        ses_events, ["ingest", str(tmp_path / "one.json"), str(tmp_path / "many.json")]
    )
    assert result.exit_code == 0, result.output
    assert "3 recorded, 0 duplicates, 2 suppressed" in result.output
    assert suppressed(store) == {"a@example.com": "bounce-permanent", "b@example.com": "complaint"}
    again = runner.invoke(ses_events, ["ingest", str(tmp_path / "one.json")])
    assert "0 recorded, 1 duplicates, 0 suppressed" in again.output
    bad = runner.invoke(ses_events, ["ingest", str(tmp_path / "missing.json")])
    assert bad.exit_code != 0 and "error:" in bad.output
