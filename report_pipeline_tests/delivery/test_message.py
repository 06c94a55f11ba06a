import dataclasses
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from report_pipeline.delivery.message import ReportContent, build_report_email, message_id_for

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
SUMMARY = {
    "documents_total": 42,
    "documents_ok": 39,
    "documents_failed": 3,
    "by_customer": {
        "globex": {"documents_total": 30, "documents_ok": 28, "documents_failed": 2},
        "acme": 12,
    },
}
CONTENT_FIELDS = {field.name for field in dataclasses.fields(ReportContent)}


def build(**overrides: Any) -> EmailMessage:
    arguments: dict[str, Any] = {
        "sender": "Reports <reports@example.com>",
        "recipient": "ann@example.com",
        "recipient_name": "Ann Smith",
        "week_start": date(2024, 3, 4),
        "summary": SUMMARY,
        "pdf": PDF,
        "pdf_filename": "report-2024-03-04.pdf",
        "message_id": message_id_for("2024-03-04", "ann@example.com", "reports.example.com"),
    }
    arguments.update(overrides)
    content = {name: arguments.pop(name) for name in CONTENT_FIELDS if name in arguments}
    return build_report_email(**arguments, report=ReportContent(**content))


def parsed(message: EmailMessage) -> EmailMessage:
    parser = BytesParser(_class=EmailMessage, policy=policy.default)
    return parser.parsebytes(message.as_bytes())


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def attachments(message: EmailMessage) -> list[EmailMessage]:
    return list(message.iter_attachments())  # type: ignore[arg-type]


def test_subject_names_the_week() -> None:
    message = parsed(build())
    assert message["Subject"] == "Weekly document report \u2013 week of 2024-03-04"


def test_addresses_and_date_headers() -> None:
    message = parsed(build())
    assert message["To"].addresses[0].addr_spec == "ann@example.com"
    assert message["To"].addresses[0].display_name == "Ann Smith"
    assert message["From"].addresses[0].addr_spec == "reports@example.com"
    assert message["Date"].datetime.tzinfo is not None


def test_text_and_html_alternatives_are_both_present() -> None:
    message = parsed(build())
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]


@pytest.mark.parametrize("body", [text_of, html_of])
def test_body_greets_by_name_and_shows_week_and_counts(body: Any) -> None:
    content = body(parsed(build()))
    assert "Hello Ann Smith," in content
    assert "Week of 2024-03-04 \u2013 2024-03-10" in content
    for count in ("42", "39", "3"):
        assert count in content
    assert "globex: 30 documents (28 ok, 2 failed)" in content
    assert "acme: 12 documents" in content
    assert content.index("acme") < content.index("globex")


@pytest.mark.parametrize("name", [None, "", "   "])
def test_greeting_falls_back_to_the_address(name: str | None) -> None:
    message = parsed(build(recipient_name=name))
    assert "Hello ann@example.com," in text_of(message)
    assert "Hello ann@example.com," in html_of(message)


def test_pdf_is_attached_byte_for_byte() -> None:
    message = parsed(build())
    [attachment] = attachments(message)
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "report-2024-03-04.pdf"
    assert attachment.get_content() == PDF
    assert "attached" in text_of(message)
    assert "report-2024-03-04.pdf" in text_of(message)


def test_without_pdf_the_mail_carries_the_link_and_its_expiry() -> None:
    url = "https://files.example.com/report.pdf?sig=abc&exp=1710000000"
    message = parsed(
        build(
            pdf=None,
            download_url=url,
            download_expires_at=datetime(2024, 3, 18, 9, 30, tzinfo=UTC),
        )
    )
    assert attachments(message) == []
    assert url in text_of(message)
    assert "2024-03-18 09:30 UTC" in text_of(message)
    escaped = "https://files.example.com/report.pdf?sig=abc&amp;exp=1710000000"
    assert f'href="{escaped}"' in html_of(message)
    assert "2024-03-18 09:30 UTC" in html_of(message)
    assert "attached" not in text_of(message)


def test_without_pdf_and_without_link_nothing_is_built() -> None:
    with pytest.raises(ValueError, match="PDF or a download URL"):
        build(pdf=None)


def test_summary_without_counts_is_rejected() -> None:
    with pytest.raises(ValueError, match="documents_failed"):
        build(summary={"documents_total": 1, "documents_ok": 1})


@pytest.mark.parametrize("body", [text_of, html_of])
def test_what_needs_a_person_and_what_to_do(body: Any) -> None:
    content = " ".join(body(parsed(build(summary={**SUMMARY, "needs_review": 5}))).split())
    assert "Need a person to check" in content and "5" in content
    assert "What needs attention" in content and "the next step" in content


@pytest.mark.parametrize("body", [text_of, html_of])
def test_a_clean_week_asks_nothing_and_an_old_summary_shows_no_review_line(body: Any) -> None:
    clean = {"documents_total": 4, "documents_ok": 4, "documents_failed": 0, "needs_review": 0}
    content = body(parsed(build(summary=clean)))
    assert "Need a person to check" in content and "What to do" not in content
    assert "Need a person to check" not in body(parsed(build()))  # SUMMARY has no count


def test_summary_without_customers_renders() -> None:
    summary = {"documents_total": 0, "documents_ok": 0, "documents_failed": 0}
    message = parsed(build(summary=summary))
    assert "By customer" not in text_of(message)


def test_message_id_header_is_the_given_one() -> None:
    message_id = message_id_for("weekly/2024-03-04", "ann@example.com", "reports.example.com")
    assert parsed(build(message_id=message_id))["Message-ID"] == message_id


def test_message_id_is_deterministic_and_per_recipient() -> None:
    first = message_id_for("weekly/2024-03-04", "ann@example.com", "reports.example.com")
    again = message_id_for("weekly/2024-03-04", "ann@example.com", "reports.example.com")
    other_recipient = message_id_for("weekly/2024-03-04", "bob@example.com", "reports.example.com")
    other_week = message_id_for("weekly/2024-03-11", "ann@example.com", "reports.example.com")
    assert first == again
    assert len({first, other_recipient, other_week}) == 3
    assert first.startswith("<") and first.endswith("@reports.example.com>")
    int(first[1 : first.index("@")], 16)


def test_message_id_ignores_recipient_case() -> None:
    assert message_id_for("k", "Ann@Example.com", "d.example") == message_id_for(
        "k", "ann@example.com", "d.example"
    )


def test_message_id_keeps_key_and_recipient_apart() -> None:
    first = message_id_for("ab", "c@x.org", "d.example")
    assert first != message_id_for("a", "bc@x.org", "d.example")


@pytest.mark.parametrize("domain", ["", "a@b", "<x>", "has space"])
def test_message_id_rejects_bad_domains(domain: str) -> None:
    with pytest.raises(ValueError):
        message_id_for("k", "ann@example.com", domain)


def test_unsubscribe_headers_and_footer() -> None:
    url = "https://reports.example.com/unsubscribe?token=" + "t" * 200
    message = parsed(build(unsubscribe_url=url))
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in text_of(message)
    assert f'href="{url}"' in html_of(message)


def test_no_unsubscribe_headers_without_a_url() -> None:
    message = parsed(build())
    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None
    assert "Unsubscribe" not in text_of(message)


@pytest.mark.parametrize("url", ["https://x.example/a b", "https://x.example/\r\nBcc: x@y.z"])
def test_urls_that_would_break_headers_are_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        build(unsubscribe_url=url)


def test_html_escapes_the_name() -> None:
    message = parsed(build(recipient_name='<script>alert("x")</script>'))
    html = html_of(message)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in text_of(message)


def test_name_with_line_breaks_cannot_inject_headers() -> None:
    message = parsed(build(recipient_name="Ann\r\nBcc: evil@example.com"))
    assert message["Bcc"] is None
    assert message["To"].addresses[0].addr_spec == "ann@example.com"


def test_wire_format_uses_crlf_line_endings() -> None:
    raw = build().as_bytes()
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_two_lines_say_what_changed_counts_types_and_trial_ids_only() -> None:
    summary = {
        **SUMMARY,
        "read_today": 2,
        "gone_quiet": [
            {"trial_id": "T-014", "documents": 0, "median": 5.0, "weeks": 8},
            {"trial_id": "T-2", "documents": 1, "median": 4.0, "weeks": 8},
        ],
        "by_document_type": {
            "lab result": 20,
            "other": 12,
            "consent form": 9,
            "a": 1,
            "b": 1,
            "c": 2,
        },
    }
    text, html = text_of(build(summary=summary)), html_of(build(summary=summary))

    first = (
        "2 adverse-event reports; trial T-014 sent nothing this week; trial T-2 sent 1 (usually 4)"
    )
    # The fifth type (b) is rarer than the four named: counted with the report's 12 other.
    second = "By document type: 20 lab result, 9 consent form, 2 c, 1 a, 13 other or rarer"
    assert first in text and second in text
    assert first in html and second in html
    assert text.index(first) < text.index("Documents received")


def test_a_summary_from_before_document_types_gives_no_what_changed_line() -> None:
    assert "By document type" not in text_of(build())
    assert "adverse-event" not in text_of(build())
