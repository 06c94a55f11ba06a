"""SES v2 through a moto server on 127.0.0.1 (real HTTP, real boto3), and the token bucket."""

from __future__ import annotations

import json
import uuid
from email import policy
from email.parser import BytesParser

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from report_pipeline.appdb.deliveries import SENT
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.dispatch import dispatch_report
from report_pipeline.delivery.mailers import SendError
from report_pipeline.delivery.ses import SesMailer, Throttle, TokenBucket
from report_pipeline.settings import SesSettings
from report_pipeline_tests.delivery.test_dispatch_smtp import FAST, PDF, report_for

REGION = "us-east-1"
CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def ses(s3_endpoint: str):  # the shared moto server speaks every AWS API, SES v2 too
    sender = f"reports-{uuid.uuid4().hex[:8]}@example.com"
    v2 = boto3.client("sesv2", region_name=REGION, endpoint_url=s3_endpoint, **CREDENTIALS)
    v2.create_email_identity(EmailIdentity=sender)
    return s3_endpoint, sender


def sent_messages(recipients: set[str]) -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [
        m
        for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
        if set(getattr(m, "destinations", [])) & recipients
    ]


def mailer(endpoint: str, max_send_rate: float | None = None) -> SesMailer:
    settings = SesSettings(REGION, endpoint, max_send_rate=max_send_rate)
    return SesMailer.from_config(settings, **CREDENTIALS)


def test_reports_go_out_through_ses_paced_by_the_quota(ses, settings) -> None:
    endpoint, sender = ses
    app = AppStore(settings.database_url)
    app.upgrade()
    recipients = [f"ses-{uuid.uuid4().hex[:6]}-{i}@example.com" for i in range(3)]
    report = report_for(app, *recipients)
    ses_mailer = mailer(endpoint)

    outcome = dispatch_report(app, report, ses_mailer, sender, settings=FAST)

    assert (outcome.sent, outcome.dead) == (3, 0)
    assert ses_mailer.bucket.rate == 1.0  # moto's GetSendQuota MaxSendRate
    messages = sent_messages(set(recipients))
    assert len(messages) == 3
    rows = {d.email: d for d in app.deliveries(report.report_id)}
    assert {d.status for d in rows.values()} == {SENT}
    assert {d.provider_message_id for d in rows.values()} == {m.id for m in messages}
    for raw in messages:
        parsed = BytesParser(policy=policy.default).parsebytes(raw.raw_data.encode())
        [attachment] = list(parsed.iter_attachments())
        assert attachment.get_payload(decode=True) == PDF
        assert parsed["To"].addresses[0].addr_spec in recipients


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_kwargs):
        yield self.body


def throttle(client, times: int) -> list[int]:
    """SES answers 429 TooManyRequestsException to the next `times` SendEmail calls."""
    calls = []

    def handler(request, **_kwargs):
        calls.append(1)
        if len(calls) <= times:
            body = json.dumps({"message": "Maximum sending rate exceeded."}).encode()
            return AWSResponse(
                request.url,
                429,
                {
                    "x-amzn-ErrorType": "TooManyRequestsException",
                    "Content-Type": "application/json",
                },
                _Raw(body),
            )
        return None

    client.meta.events.register("before-send.sesv2.SendEmail", handler)
    return calls


def message_to(recipient: str, sender: str):
    from datetime import date

    from report_pipeline.delivery.message import ReportContent, build_report_email

    return build_report_email(
        sender=sender,
        recipient=recipient,
        recipient_name=None,
        message_id=f"<{uuid.uuid4().hex}@example.com>",
        report=ReportContent(
            week_start=date(2024, 3, 4),
            summary={"documents_total": 1, "documents_ok": 1, "documents_failed": 0},
            pdf=PDF,
            pdf_filename="r.pdf",
        ),
    )


def test_throttling_is_retried_with_growing_backoff(ses) -> None:
    endpoint, sender = ses
    pauses: list[float] = []
    ses_mailer = mailer(endpoint, max_send_rate=1000)
    ses_mailer.throttle = Throttle(sleep=pauses.append)
    calls = throttle(ses_mailer.client, times=3)
    recipient = f"throttled-{uuid.uuid4().hex[:6]}@example.com"
    with ses_mailer:
        provider_id = ses_mailer.send(message_to(recipient, sender))
    assert len(calls) == 4 and len(pauses) == 3
    assert pauses[0] < pauses[2]  # exponential, jittered within [ceiling/2, ceiling]
    assert [m.id for m in sent_messages({recipient})] == [provider_id]


def test_endless_throttling_is_a_retryable_failure_and_rejection_is_permanent(ses) -> None:
    endpoint, sender = ses
    ses_mailer = mailer(endpoint, max_send_rate=1000)
    ses_mailer.throttle = Throttle(sleep=lambda _s: None)
    throttle(ses_mailer.client, times=100)
    with pytest.raises(SendError) as throttled:
        ses_mailer.send(message_to("x@example.com", sender))
    assert not throttled.value.permanent and "TooManyRequests" in str(throttled.value)

    unverified = mailer(endpoint, max_send_rate=1000)
    with pytest.raises(SendError) as rejected:
        unverified.send(message_to("x@example.com", "stranger@unverified.example"))
    assert rejected.value.permanent and "MessageRejected" in str(rejected.value)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_paces_to_the_rate_after_its_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=14, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(14 + 28):
        bucket.acquire()
    # 14 saved up at the start, then 28 more at 14 per second: two seconds of waiting.
    assert clock.now - start == pytest.approx(2.0)
    assert all(pause <= 1 / 14 + 1e-9 for pause in clock.slept)


def test_token_bucket_refills_while_idle_but_never_beyond_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, capacity=2, clock=clock, sleep=clock.sleep)
    bucket.acquire(), bucket.acquire()
    clock.now += 3600  # an hour idle is still only two tokens
    assert [bucket.acquire() for _ in range(2)] == [0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)
