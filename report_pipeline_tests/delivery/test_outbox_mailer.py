from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from report_pipeline.delivery.mailers import Mailer, OutboxMailer, SendError
from report_pipeline.delivery.message import ReportContent, build_report_email, message_id_for

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8


def report_for(recipient: str, week: str = "2024-03-04"):
    return build_report_email(
        sender="reports@example.com",
        recipient=recipient,
        recipient_name=None,
        message_id=message_id_for(week, recipient, "reports.example.com"),
        report=ReportContent(
            week_start=date.fromisoformat(week),
            summary={"documents_total": 2, "documents_ok": 2, "documents_failed": 0},
            pdf=PDF,
            pdf_filename="report.pdf",
        ),
    )


def eml_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


def test_creates_the_directory(tmp_path: Path) -> None:
    OutboxMailer(tmp_path / "deep" / "outbox")
    assert (tmp_path / "deep" / "outbox").is_dir()


def test_writes_a_parseable_eml_file(tmp_path: Path) -> None:
    message = report_for("ann@example.com")
    with OutboxMailer(tmp_path) as mailer:
        mailer.send(message)
    [written] = eml_files(tmp_path)
    assert written.name.startswith("ann@example.com__")
    parsed = BytesParser(policy=policy.default).parsebytes(written.read_bytes())
    assert parsed["Message-ID"] == message["Message-ID"]
    [attachment] = parsed.iter_attachments()
    assert attachment.get_content() == PDF


def test_same_message_twice_gives_one_file(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path)
    with mailer:
        mailer.send(report_for("ann@example.com"))
        mailer.send(report_for("ann@example.com"))
    assert len(eml_files(tmp_path)) == 1
    assert list(tmp_path.iterdir()) == eml_files(tmp_path)  # no temp files left behind


def test_each_recipient_and_week_gets_its_own_file(tmp_path: Path) -> None:
    with OutboxMailer(tmp_path) as mailer:
        mailer.send(report_for("ann@example.com"))
        mailer.send(report_for("bob@example.com"))
        mailer.send(report_for("ann@example.com", week="2024-03-11"))
    assert len(eml_files(tmp_path)) == 3


def test_unsafe_recipient_characters_stay_out_of_the_file_name(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path)
    message = report_for("ann@example.com")
    del message["To"]
    message["To"] = "../../etc/passwd@example.com"
    path = mailer.path_for(message)
    assert path.parent == tmp_path
    assert "/" not in path.name


def test_message_without_message_id_is_refused(tmp_path: Path) -> None:
    message = report_for("ann@example.com")
    del message["Message-ID"]
    with pytest.raises(SendError) as excinfo:
        OutboxMailer(tmp_path).send(message)
    assert excinfo.value.permanent is True
    assert eml_files(tmp_path) == []


def test_write_failure_is_a_retryable_send_error(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox")
    (tmp_path / "outbox").rmdir()
    (tmp_path / "outbox").write_text("a file where the directory was")
    with pytest.raises(SendError) as excinfo:
        mailer.send(report_for("ann@example.com"))
    assert excinfo.value.permanent is False


def test_outbox_mailer_satisfies_the_mailer_protocol(tmp_path: Path) -> None:
    mailer: Mailer = OutboxMailer(tmp_path)
    with mailer as active:
        active.send(report_for("ann@example.com"))
    assert len(eml_files(tmp_path)) == 1
