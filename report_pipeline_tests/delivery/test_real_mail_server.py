"""Delivery against a real SMTP server on 127.0.0.1 (aiosmtpd) with a private CA.

Covers issue 19: trusting a private CA (STARTTLS and implicit TLS), configuration
errors (untrusted certificate, 535 login, STARTTLS not offered) stopping the run
at once with the setting to fix and every row left pending, 451 retried, and
5.1.x / 5.2.1 rejections suppressing the address like an SES permanent bounce.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from sqlalchemy import select

from report_pipeline.appdb.deliveries import DEAD, PENDING, SENT, OutboxStore
from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.store import AppStore, ReportResult
from report_pipeline.appdb.suppressions import suppressed
from report_pipeline.cli.deliveries import deliveries
from report_pipeline.delivery.dispatch import ReportToSend, dispatch_report
from report_pipeline.delivery.mailers import CA_FILE_SETTING, MailerConfigError, SmtpMailer
from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.settings import DeliverySettings
from report_pipeline.settings import SmtpSettings
from report_pipeline_tests.api.conftest import RecordingLauncher, auth, build_client
from report_pipeline_tests.delivery.conftest import SmtpTestServer
from report_pipeline_tests.delivery.tls_ca import PrivateCa, make_test_ca

WEEK = date(2024, 3, 4)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
SUMMARY = {"week": "2024-03-04", "documents_total": 3, "documents_ok": 3, "documents_failed": 0}
PASSWORD = "s3cret-Pa55word"
FAST = DeliverySettings(
    policy=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05),
    sender=SenderSettings(batch_size=4, lease_seconds=30, poll_seconds=0.05),
)
# The production retry policy: were a configuration error retried, a test would wait
# at least 30 s per retry; the assertions below show it is tried exactly once.
REAL = DeliverySettings()


@pytest.fixture
def ca(tmp_path: Path) -> PrivateCa:
    return make_test_ca(tmp_path / "ca")


@pytest.fixture
def starttls_server(smtp_server_factory, ca: PrivateCa) -> SmtpTestServer:
    return smtp_server_factory(tls_context=ca.server_context(), require_starttls=True)


@pytest.fixture
def implicit_tls_server(smtp_server_factory, ca: PrivateCa) -> SmtpTestServer:
    return smtp_server_factory(ssl_context=ca.server_context())


@pytest.fixture
def app(settings) -> AppStore:
    store = AppStore(settings.database_url)
    store.upgrade()
    return store


def report_for(app: AppStore, *addresses: str, week: date = WEEK) -> ReportToSend:
    row = app.record_report(ReportResult(week=week, state="succeeded"))
    for address in addresses:
        app.subscribe(address)
    return ReportToSend(
        report_id=row.id,
        week=week,
        summary=SUMMARY,
        pdf=PDF,
        pdf_filename="weekly-report-2024-03-04.pdf",
    )


def mailer(server: SmtpTestServer, security: str = "starttls", **options: object) -> SmtpMailer:
    settings = SmtpSettings(server.host, server.port, security, **options)  # type: ignore[arg-type]
    return SmtpMailer(settings, local_hostname="localhost", timeout=10)


def statuses(app: AppStore, report_id: int) -> dict[str, tuple[str, int]]:
    return {d.email: (d.status, d.attempts) for d in app.deliveries(report_id)}


# --- 2. a private CA --------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_private_ca_file_is_trusted_in_addition_to_the_system_store(
    request, ca: PrivateCa, security: str
) -> None:
    server = request.getfixturevalue(
        "starttls_server" if security == "starttls" else "implicit_tls_server"
    )
    untrusted = mailer(server, security)
    with pytest.raises(MailerConfigError) as excinfo:
        with untrusted:
            untrusted.send(_message("ann@example.com"))
    assert excinfo.value.setting == CA_FILE_SETTING
    assert CA_FILE_SETTING in str(excinfo.value) and "\n" not in str(excinfo.value)
    assert server.messages == []

    trusted = mailer(server, security, ca_file=str(ca.ca_file))
    with trusted:
        trusted.send(_message("ann@example.com"))
    assert [m.rcpt_tos for m in server.messages] == [["ann@example.com"]]
    # Added to the default store, not replacing it: public CAs stay trusted.
    assert trusted._context().cert_store_stats()["x509_ca"] > 1


def test_an_unreadable_ca_file_names_the_setting(
    starttls_server: SmtpTestServer, tmp_path: Path
) -> None:
    broken = mailer(starttls_server, ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(MailerConfigError, match=CA_FILE_SETTING):
        with broken:
            broken.send(_message("ann@example.com"))


def test_a_certificate_for_another_name_names_the_host_setting(
    smtp_server_factory, tmp_path: Path
) -> None:
    other = make_test_ca(tmp_path / "other", names=("mail.example.test",))
    server = smtp_server_factory(tls_context=other.server_context(), require_starttls=True)
    wrong_name = mailer(server, ca_file=str(other.ca_file))
    with pytest.raises(MailerConfigError, match="REPORT_PIPELINE_SMTP_HOST"):
        with wrong_name:
            wrong_name.send(_message("ann@example.com"))
    assert server.messages == []


# --- 3. configuration errors stop the run, rows stay pending ----------------------------------


def test_certificate_error_stops_at_once_with_the_ca_setting_and_leaves_rows_pending(
    app: AppStore, starttls_server: SmtpTestServer, ca: PrivateCa
) -> None:
    addresses = [f"user{i}@example.com" for i in range(6)]
    report = report_for(app, *addresses)
    with pytest.raises(MailerConfigError) as excinfo:
        dispatch_report(app, report, mailer(starttls_server), "reports@example.com", settings=REAL)
    assert CA_FILE_SETTING in str(excinfo.value)
    assert "certificate" in str(excinfo.value)
    assert starttls_server.connections == 1  # one try, no retry of any recipient
    assert starttls_server.messages == []
    assert statuses(app, report.report_id) == {a: (PENDING, 0) for a in addresses}

    # With the setting fixed, the same report goes out once to everyone.
    outcome = dispatch_report(
        app,
        report,
        mailer(starttls_server, ca_file=str(ca.ca_file)),
        "reports@example.com",
        settings=REAL,
    )
    assert (outcome.sent, outcome.failed, outcome.dead) == (6, 0, 0)
    assert sorted(m.rcpt_tos[0] for m in starttls_server.messages) == addresses
    assert {d.pdf_sha256 for d in app.deliveries(report.report_id)} == {
        hashlib.sha256(PDF).hexdigest()
    }


def _check_password(
    server: object, session: object, envelope: object, mechanism: str, auth_data: object
) -> AuthResult:
    ok = auth_data == LoginPassword(b"reports", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def test_535_login_refused_stops_at_once_naming_the_credentials(
    app: AppStore, smtp_server_factory, ca: PrivateCa
) -> None:
    server = smtp_server_factory(
        tls_context=ca.server_context(), require_starttls=True, authenticator=_check_password
    )
    report = report_for(app, "ann@example.com", "bob@example.com")
    wrong = "wrong-" + PASSWORD
    with pytest.raises(MailerConfigError) as excinfo:
        dispatch_report(
            app,
            report,
            mailer(server, ca_file=str(ca.ca_file), username="reports", password=wrong),
            "reports@example.com",
            settings=REAL,
        )
    message = str(excinfo.value)
    assert "535" in message and "REPORT_PIPELINE_SMTP_PASSWORD" in message
    assert wrong not in message
    assert server.connections == 1 and server.messages == []
    assert {s for s, _ in statuses(app, report.report_id).values()} == {PENDING}

    good = mailer(server, ca_file=str(ca.ca_file), username="reports", password=PASSWORD)
    assert dispatch_report(app, report, good, "reports@example.com", settings=REAL).sent == 2


def test_starttls_not_offered_stops_at_once_naming_the_security_setting(
    app: AppStore, smtp_server: SmtpTestServer
) -> None:
    report = report_for(app, "ann@example.com")
    with pytest.raises(MailerConfigError, match="REPORT_PIPELINE_SMTP_SECURITY"):
        dispatch_report(
            app, report, mailer(smtp_server, "starttls"), "reports@example.com", settings=REAL
        )
    assert smtp_server.messages == []
    assert statuses(app, report.report_id) == {"ann@example.com": (PENDING, 0)}


# --- 5. 451 retried, 5.1.x / 5.2.1 suppress ---------------------------------------------------


def test_451_is_retried_and_hard_bounces_suppress_the_address_audited_and_listed(
    app: AppStore,
    settings,
    starttls_server: SmtpTestServer,
    ca: PrivateCa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = report_for(
        app,
        "ann@example.com",
        "flaky@example.com",
        "nouser@example.com",
        "disabled@example.com",
        "policy@example.com",
    )
    starttls_server.transient("flaky@example.com", times=1, reply="451 4.3.0 Try again later")
    starttls_server.refuse("nouser@example.com", "550 5.1.1 <nouser@example.com>: no such user")
    starttls_server.refuse("disabled@example.com", "550 5.2.1 Mailbox disabled")
    starttls_server.refuse("policy@example.com", "550 5.7.1 Rejected by policy")

    outcome = dispatch_report(
        app,
        report,
        mailer(starttls_server, ca_file=str(ca.ca_file)),
        "reports@example.com",
        settings=FAST,
    )

    assert (outcome.sent, outcome.dead) == (2, 3)
    assert statuses(app, report.report_id) == {
        "ann@example.com": (SENT, 1),
        "flaky@example.com": (SENT, 2),
        "nouser@example.com": (DEAD, 1),
        "disabled@example.com": (DEAD, 1),
        "policy@example.com": (DEAD, 1),
    }
    # Only the bounces suppress; a policy rejection is the message's, not the mailbox's.
    assert suppressed(app) == {
        "nouser@example.com": "bounce-permanent",
        "disabled@example.com": "bounce-permanent",
    }
    with app.session() as session:
        audited = session.scalars(
            select(AuditEntry.target).where(AuditEntry.action == "suppress email address")
        ).all()
    assert sorted(audited) == ["email:disabled@example.com", "email:nouser@example.com"]

    # Next week's snapshot leaves them out.
    next_week = report_for(app, week=date(2024, 3, 11))
    OutboxStore(app).snapshot(next_week.report_id)
    assert set(statuses(app, next_week.report_id)) == {
        "ann@example.com",
        "flaky@example.com",
        "policy@example.com",
    }

    # Visible in `deliveries list --json` ...
    listed = CliRunner().invoke(deliveries, ["list", "--week", "2024-03-04", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["email"]: r for r in map(json.loads, listed.output.splitlines())}
    assert rows["nouser@example.com"]["suppressed"].startswith("bounce-permanent")
    assert "5.1.1" in rows["nouser@example.com"]["suppressed"]
    assert rows["policy@example.com"]["suppressed"] is None
    assert rows["ann@example.com"]["pdf_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert rows["nouser@example.com"]["pdf_sha256"] is None  # it carried nothing
    # ... and in the API.
    with build_client(settings, app, RecordingLauncher(), None) as client:
        answer = client.get(f"/api/reports/emails/{report.report_id}", headers=auth("analyst"))
    assert answer.status_code == 200, answer.text
    by_address = {item["email"]: item for item in answer.json()["items"]}
    assert by_address["disabled@example.com"]["suppressed"].startswith("bounce-permanent")
    assert by_address["ann@example.com"]["suppressed"] is None
    assert by_address["ann@example.com"]["pdf_sha256"] == hashlib.sha256(PDF).hexdigest()


def _message(recipient: str):
    from report_pipeline.delivery.message import ReportContent, build_report_email, message_id_for

    return build_report_email(
        sender="reports@example.com",
        recipient=recipient,
        recipient_name=None,
        message_id=message_id_for("2024-03-04", recipient, "example.com"),
        report=ReportContent(
            week_start=WEEK,
            summary=SUMMARY,
            pdf=PDF,
            pdf_filename="report.pdf",
        ),
    )


# --- 7. what docs/delivery.md says about connections--------------------------------------------


def test_one_connection_serves_the_whole_run_across_batches_and_retry_waits(
    app: AppStore, starttls_server: SmtpTestServer, ca: PrivateCa
) -> None:
    addresses = [f"user{i:02d}@example.com" for i in range(30)]
    report = report_for(app, *addresses)
    starttls_server.transient("user07@example.com", times=1)  # a retry wait inside the run
    outcome = dispatch_report(
        app,
        report,
        mailer(starttls_server, ca_file=str(ca.ca_file)),
        "reports@example.com",
        settings=FAST,
    )  # batches of 4
    assert (outcome.sent, outcome.failed, outcome.dead) == (30, 0, 0)
    assert starttls_server.connections == 1
