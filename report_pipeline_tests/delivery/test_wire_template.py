"""Messages rendered from the report's wire template are the bytes a full build makes."""

from __future__ import annotations

import re
from datetime import date
from email import message_from_bytes, policy

import pytest

from report_pipeline.appdb.deliveries import ClaimedDelivery
from report_pipeline.delivery import tokens
from report_pipeline.delivery.dispatch import _PLACEHOLDER, ReportComposer, ReportToSend
from report_pipeline.delivery.tokens import UnsubscribeLinks, UnsubscribeSigner

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 200 + b"\n%%EOF\n"
SUMMARY = {
    "documents_total": 41,
    "documents_ok": 40,
    "documents_failed": 1,
    "by_customer": {"acme": 20, "globex": 21},
}
REPORT = ReportToSend(
    report_id=7,
    week=date(2024, 3, 4),
    summary=SUMMARY,
    pdf=PDF,
    pdf_filename="weekly-report-2024-03-04.pdf",
)
LINKS = UnsubscribeLinks(
    "https://reports.example.com/unsubscribe?src=mail",
    UnsubscribeSigner("s" * 40),
    mailto="unsubscribe@example.com",
)


def normalized(data: bytes) -> bytes:
    """Boundaries are random per build and Date is the build time: name them by order."""
    for number, boundary in enumerate(dict.fromkeys(re.findall(rb'boundary="([^"]+)"', data))):
        data = data.replace(boundary, b"BOUNDARY-%d" % number)
    return re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: (now)", data)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(tokens.time, "time", lambda: 1_760_000_000.0)


@pytest.mark.parametrize("links", [None, LINKS], ids=["no-unsubscribe", "unsubscribe"])
@pytest.mark.parametrize(
    "name",
    [
        "Ann Example",
        None,
        "Smith, John",
        'Dr. "Bob" O\'Neil',
        "A&B <Research>",
        "x" * 120,
    ],
)
def test_a_templated_message_equals_a_full_build(links, name) -> None:
    composer = ReportComposer(REPORT, "Reports <reports@example.com>", unsubscribe=links)
    delivery = ClaimedDelivery(1, 7, "ann.example+reports@example.com", name, 1)

    fast = composer._from_template(delivery)

    assert fast is not None, "ASCII values must take the template path"
    # The reference: a full build, with the PDF's base64 in 76-character lines (RFC 2045)
    # as every sent message has it.
    slow = composer._splice_pdf(composer.build(delivery, _PLACEHOLDER).as_bytes())
    assert normalized(fast.as_bytes()) == normalized(slow)
    assert (fast["To"], fast["Message-ID"]) == (
        message_from_bytes(slow, policy=policy.default)["To"],
        message_from_bytes(slow, policy=policy.default)["Message-ID"],
    )


def test_values_that_change_the_encoding_are_built_the_slow_way() -> None:
    composer = ReportComposer(REPORT, "Reports <reports@example.com>", unsubscribe=LINKS)
    for name in ("Zoë Müller", "y" * 400):
        delivery = ClaimedDelivery(1, 7, "zoe@example.com", name, 1)
        assert composer._from_template(delivery) is None
        message = message_from_bytes(composer(delivery).as_bytes(), policy=policy.default)
        assert name in message.get_body(("plain",)).get_content()
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content() == PDF
