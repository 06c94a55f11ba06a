from datetime import date
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from report_pipeline.delivery.mailers import Mailer, SendError, SmtpMailer
from report_pipeline.delivery.message import ReportContent, build_report_email, message_id_for
from report_pipeline.settings import SmtpSettings
from report_pipeline_tests.delivery.conftest import SmtpTestServer

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
PASSWORD = "s3cret-Pa55word"


def report_for(recipient: str) -> EmailMessage:
    return build_report_email(
        sender="reports@example.com",
        recipient=recipient,
        recipient_name="Reader",
        message_id=message_id_for("2024-03-04", recipient, "reports.example.com"),
        report=ReportContent(
            week_start=date(2024, 3, 4),
            summary={"documents_total": 3, "documents_ok": 2, "documents_failed": 1},
            pdf=PDF,
            pdf_filename="report.pdf",
        ),
    )


def mailer_for(server: SmtpTestServer, **options: object) -> SmtpMailer:
    options.setdefault("security", "none")
    settings = SmtpSettings(server.host, server.port, **options)  # type: ignore[arg-type]
    return SmtpMailer(settings, local_hostname="localhost", timeout=10.0)


def test_message_arrives_with_identical_attachment(smtp_server: SmtpTestServer) -> None:
    message = report_for("ann@example.com")
    with mailer_for(smtp_server) as mailer:
        mailer.send(message)
    [received] = smtp_server.messages
    assert received.mail_from == "reports@example.com"
    assert received.rcpt_tos == ["ann@example.com"]
    arrived = received.message
    assert arrived["Message-ID"] == message["Message-ID"]
    [attachment] = arrived.iter_attachments()
    assert attachment.get_content() == PDF


def test_a_batch_shares_one_connection(smtp_server: SmtpTestServer) -> None:
    recipients = [f"reader{i}@example.com" for i in range(5)]
    with mailer_for(smtp_server) as mailer:
        for recipient in recipients:
            mailer.send(report_for(recipient))
    assert [m.rcpt_tos for m in smtp_server.messages] == [[r] for r in recipients]
    assert smtp_server.connections == 1


def test_connection_is_opened_lazily(smtp_server: SmtpTestServer) -> None:
    with mailer_for(smtp_server):
        pass
    assert smtp_server.connections == 0


def test_send_outside_a_batch_uses_its_own_connection(smtp_server: SmtpTestServer) -> None:
    mailer = mailer_for(smtp_server)
    mailer.send(report_for("ann@example.com"))
    mailer.send(report_for("bob@example.com"))
    assert len(smtp_server.messages) == 2
    assert smtp_server.connections == 2


def test_reconnects_once_after_the_server_closed_the_connection(
    smtp_server: SmtpTestServer,
) -> None:
    with mailer_for(smtp_server) as mailer:
        mailer.send(report_for("ann@example.com"))
        smtp_server.drop_connections()
        mailer.send(report_for("bob@example.com"))
        mailer.send(report_for("cid@example.com"))
    assert [m.rcpt_tos for m in smtp_server.messages] == [
        ["ann@example.com"],
        ["bob@example.com"],
        ["cid@example.com"],
    ]
    assert smtp_server.connections == 2


def test_server_gone_for_good_is_a_retryable_error(smtp_server: SmtpTestServer) -> None:
    with mailer_for(smtp_server) as mailer:
        mailer.send(report_for("ann@example.com"))
        smtp_server.stop()
        with pytest.raises(SendError) as excinfo:
            mailer.send(report_for("bob@example.com"))
    assert excinfo.value.permanent is False
    assert f"{smtp_server.host}:{smtp_server.port}" in str(excinfo.value)


def test_recipient_refused_with_550_is_permanent(smtp_server: SmtpTestServer) -> None:
    smtp_server.refuse("gone@example.com", "550 5.1.1 No such user")
    with mailer_for(smtp_server) as mailer:
        with pytest.raises(SendError) as excinfo:
            mailer.send(report_for("gone@example.com"))
        mailer.send(report_for("ann@example.com"))  # the batch goes on
    assert excinfo.value.permanent is True
    assert "gone@example.com" in str(excinfo.value)
    assert "550" in str(excinfo.value)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ann@example.com"]]
    assert smtp_server.connections == 1


def test_recipient_deferred_with_451_is_not_permanent(smtp_server: SmtpTestServer) -> None:
    smtp_server.refuse("busy@example.com", "451 4.3.0 Try again later")
    with mailer_for(smtp_server) as mailer:
        with pytest.raises(SendError) as excinfo:
            mailer.send(report_for("busy@example.com"))
    assert excinfo.value.permanent is False
    assert "451" in str(excinfo.value)
    assert smtp_server.messages == []


def test_nothing_listening_is_a_retryable_error(smtp_server: SmtpTestServer) -> None:
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(SendError) as excinfo:
        SmtpMailer(
            SmtpSettings("127.0.0.1", port, security="none"),
            local_hostname="localhost",
            timeout=10.0,
        ).send(report_for("ann@example.com"))
    assert excinfo.value.permanent is False


def test_starttls_required_but_not_offered_sends_nothing(smtp_server: SmtpTestServer) -> None:
    with pytest.raises(SendError) as excinfo:
        with mailer_for(smtp_server, security="starttls") as mailer:
            mailer.send(report_for("ann@example.com"))
    assert excinfo.value.permanent is False
    assert "STARTTLS" in str(excinfo.value)
    assert smtp_server.messages == []


def _check_password(
    server: object, session: object, envelope: object, mechanism: str, auth_data: object
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == LoginPassword(
        b"reports", PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_server(smtp_server_factory) -> SmtpTestServer:  # type: ignore[no-untyped-def]
    return smtp_server_factory(authenticator=_check_password, auth_require_tls=False)


def test_login_with_valid_credentials(auth_server: SmtpTestServer) -> None:
    with mailer_for(auth_server, username="reports", password=PASSWORD) as mailer:
        mailer.send(report_for("ann@example.com"))
    assert len(auth_server.messages) == 1


def test_failed_login_never_reveals_the_password(auth_server: SmtpTestServer) -> None:
    wrong = "wrong-" + PASSWORD
    mailer = mailer_for(auth_server, username="reports", password=wrong)
    with pytest.raises(SendError) as excinfo:
        with mailer:
            mailer.send(report_for("ann@example.com"))
    error = excinfo.value
    assert error.permanent is False
    assert "login" in str(error)
    assert wrong not in str(error) and wrong not in repr(error)
    assert error.__cause__ is None or wrong not in str(error.__cause__)
    assert wrong not in repr(mailer)
    assert auth_server.messages == []


def test_username_without_password_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        SmtpMailer(SmtpSettings("127.0.0.1", 25, username="reports"))


def test_unknown_security_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        SmtpMailer(SmtpSettings("127.0.0.1", 25, security="tls"))


def test_smtp_mailer_satisfies_the_mailer_protocol(smtp_server: SmtpTestServer) -> None:
    mailer: Mailer = mailer_for(smtp_server)
    with mailer as active:
        active.send(report_for("ann@example.com"))
    assert len(smtp_server.messages) == 1
