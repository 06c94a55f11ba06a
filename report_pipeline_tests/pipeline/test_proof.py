"""Test sends: exactly the subscriber's email, [Test] in the subject, no delivery row."""

from __future__ import annotations

import email
import subprocess
import sys
from datetime import UTC, datetime
from email import policy

import pytest

from report_pipeline.appdb.deliveries import ClaimedDelivery
from report_pipeline.appdb.store import ReportResult
from report_pipeline.delivery.dispatch import ReportComposer, ReportToSend
from report_pipeline.delivery.mailers import MailerConfig
from report_pipeline.delivery.settings import delivery_settings
from report_pipeline.pipeline.proof import NoReportToTest, Proof
from report_pipeline.pipeline.publish import publish_report
from report_pipeline.pipeline.published import read_published_manifest
from report_pipeline.resources.connections import open_mailer, open_services, sender_address
from report_pipeline_tests.api.conftest import RecordingLauncher, auth, build_client
from report_pipeline_tests.delivery.conftest import smtp_server, smtp_server_factory  # noqa: F401
from report_pipeline_tests.report.factories import WEEK, entry, failed, image_ok, text_ok

GENERATED = datetime(2024, 3, 11, 6, tzinfo=UTC)


@pytest.fixture
def published(settings):
    """A rendered week with one subscriber, as the weekly_report asset leaves it."""
    services = open_services(settings)
    entries = [entry("doc-a"), entry("doc-b", content_type="image/png"), entry("doc-c")]
    results = [text_ok("doc-a"), image_ok("doc-b", 42.0), failed("doc-c", "read", "empty file")]
    out = publish_report(services.store, WEEK, entries, results, GENERATED)
    row = services.app.record_report(
        ReportResult(
            WEEK,
            "succeeded",
            report_uri=out.uri,
            pdf_key=out.pdf_key,
            pdf_sha256=out.pdf_sha256,
            documents_total=3,
            documents_failed=1,
        )
    )
    services.app.subscribe("reader@example.com", "Reader")
    return services, row


def _delivery_rows(services) -> int:
    from sqlalchemy import func, select

    from report_pipeline.appdb.schema import Delivery

    with services.app.session() as session:
        return session.scalar(select(func.count()).select_from(Delivery))


def test_the_test_email_is_the_subscribers_email_marked_test(settings, published) -> None:
    services, row = published
    sender = sender_address(settings)
    delivery = delivery_settings(settings.delivery)
    proof, report_id = Proof(
        services.app, services.store, sender, WEEK, "me@example.com", delivery
    ).build()
    # What a subscriber with this address would get, built by the real send's composer.
    real = ReportComposer(
        ReportToSend(
            row.id,
            WEEK,
            read_published_manifest(services.store, WEEK)["summary"],
            services.store.get(row.pdf_key),
            "weekly-report-2024-03-04.pdf",
        ),
        sender,
        delivery.max_attachment_bytes,
        delivery.unsubscribe,
    ).build(ClaimedDelivery(0, row.id, "me@example.com", None, 1), services.store.get(row.pdf_key))

    assert report_id == row.id
    assert proof["Subject"] == "[Test] " + real["Subject"]
    assert proof["Message-ID"] != real["Message-ID"]  # the real send keeps its own id
    assert proof["From"] == real["From"] and "Weekly document report" in proof["From"]
    assert proof["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert proof.get_body(("plain",)).get_content() == real.get_body(("plain",)).get_content()
    [attachment] = list(proof.iter_attachments())
    assert attachment.get_payload(decode=True) == services.store.get(row.pdf_key)


def test_sending_writes_no_delivery_row(settings, published) -> None:
    services, _ = published
    mailer = open_mailer(MailerConfig("outbox", str(settings.outbox_dir)))
    sent = Proof(
        services.app,
        services.store,
        sender_address(settings),
        WEEK,
        "me@example.com",
        delivery_settings(settings.delivery),
    ).send(mailer)
    [path] = settings.outbox_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("[Test] ") and sent.attached
    assert _delivery_rows(services) == 0  # the week's real send still mails everybody


def test_a_week_without_a_report_is_a_clear_error(settings) -> None:
    services = open_services(settings)
    with pytest.raises(NoReportToTest, match="no rendered report for week 2024-03-04"):
        Proof(
            services.app,
            services.store,
            "r@example.com",
            WEEK,
            "me@example.com",
            delivery_settings(settings.delivery),
        ).build()


def test_cli_send_test(settings, published) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "report_pipeline.cli",
            "reports",
            "send-test",
            "--week",
            "2024-03-06",
            "--to",
            "Me@Example.com",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "[Test] Weekly document report" in run.stdout and "me@example.com" in run.stdout
    assert len(list(settings.outbox_dir.glob("me@example.com__*.eml"))) == 1
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "report_pipeline.cli",
            "reports",
            "send-test",
            "--week",
            "2024-03-06",
            "--to",
            "not-an-address",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("error: invalid email address")
    assert "Traceback" not in bad.stderr


def test_api_test_email_is_for_operators_and_audited(settings, published) -> None:
    services, row = published

    with build_client(settings, services.app, RecordingLauncher(), services.catalog) as client:
        path = f"/api/reports/{row.id}/test-email"
        denied = client.post(path, json={"to": "me@example.com"}, headers=auth("analyst"))
        assert denied.status_code == 403
        response = client.post(path, json={"to": "me@example.com"}, headers=auth("operator"))
        assert response.status_code == 200, response.text
        assert response.json()["subject"].startswith("[Test] ")
        log = client.get("/api/audit", headers=auth("admin")).json()
    assert any("test-email:me@example.com" in (item.get("target") or "") for item in log["items"])
    assert _delivery_rows(services) == 0


@pytest.fixture
def two_customers(settings):
    """A week rendered per scope (`all`, acme, globex), each with its report row."""
    from report_pipeline.pipeline.scopes import publish_scopes

    services = open_services(settings)
    entries = [entry("a1", "acme"), entry("a2", "acme"), entry("g1", "globex")]
    results = [text_ok("a1"), failed("a2"), text_ok("g1")]
    for scope in publish_scopes(services.store, WEEK, entries, results, GENERATED, threshold=1):
        out = scope.published
        services.app.record_report(
            ReportResult(
                WEEK,
                "succeeded",
                report_uri=out.uri,
                pdf_key=out.pdf_key,
                pdf_sha256=out.pdf_sha256,
                documents_total=scope.documents_total,
                documents_failed=scope.documents_failed,
                scope=scope.scope,
            )
        )
    return services


def test_a_customers_test_email_carries_only_that_customers_report(
    settings,
    two_customers,
    smtp_server,  # noqa: F811 - the aiosmtpd sink imported above
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from report_pipeline.delivery.mailers import SmtpMailer
    from report_pipeline.settings import SmtpSettings

    services = two_customers
    mailer = SmtpMailer(SmtpSettings(smtp_server.host, smtp_server.port, "none"), timeout=10)
    sent = Proof(
        services.app,
        services.store,
        sender_address(settings),
        WEEK,
        "me@example.com",
        delivery_settings(settings.delivery),
        scope="acme",
    ).send(mailer)
    assert sent.report_id == services.app.latest_report(WEEK, "acme").id
    [received] = smtp_server.messages
    message = received.message
    assert message["Subject"].startswith("[Test] ") and received.rcpt_tos == ["me@example.com"]
    [attachment] = list(message.iter_attachments())
    pdf = attachment.get_payload(decode=True)
    assert pdf == services.store.get(services.app.latest_report(WEEK, "acme").pdf_key)
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    body = message.get_body(("plain",)).get_content()
    assert "Customer: acme" in text and "globex" not in text + body
    assert _delivery_rows(services) == 0


def test_a_customer_without_a_report_is_a_clear_error(settings, two_customers) -> None:
    with pytest.raises(NoReportToTest, match="no rendered report of customer initech"):
        Proof(
            two_customers.app,
            two_customers.store,
            "r@example.com",
            WEEK,
            "me@example.com",
            delivery_settings(settings.delivery),
            scope="initech",
        ).build()


def test_cli_send_test_for_a_customer(settings, two_customers) -> None:
    def send_test(*extra: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "report_pipeline.cli", "reports", "send-test"]
        command += ["--week", "2024-03-06", "--to", "me@example.com", *extra]
        return subprocess.run(command, capture_output=True, text=True, timeout=300)

    run = send_test("--customer", "globex")
    assert run.returncode == 0, run.stderr
    [path] = settings.outbox_dir.glob("me@example.com__*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    [attachment] = list(message.iter_attachments())
    globex = two_customers.app.latest_report(WEEK, "globex")
    assert attachment.get_payload(decode=True) == two_customers.store.get(globex.pdf_key)
    bad = send_test("--customer", "no/such customer")
    assert bad.returncode == 1 and bad.stderr.startswith("error: ")
    assert "Traceback" not in bad.stderr
