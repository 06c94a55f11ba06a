"""The full dispatch path against real SMTP servers: a clean one and a faulty one."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from report_pipeline.appdb.deliveries import DEAD, SENT, SUPPRESSED, OutboxStore
from report_pipeline.appdb.schema import EmailSuppression
from report_pipeline.appdb.store import AppStore, ReportResult, utcnow
from report_pipeline.delivery.dispatch import ReportToSend, dispatch_report
from report_pipeline.delivery.mailers import SmtpMailer
from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.settings import DeliverySettings
from report_pipeline.delivery.tokens import UnsubscribeLinks, UnsubscribeSigner
from report_pipeline.settings import SmtpSettings

WEEK = date(2024, 3, 4)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\r\n\x00binary tail\n%%EOF\n"
SUMMARY = {
    "documents_total": 5,
    "documents_ok": 4,
    "documents_failed": 1,
    "by_customer": {"acme": 3, "globex": 2},
}
SECRET = "s" * 40
FAST = DeliverySettings(
    policy=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05),
    sender=SenderSettings(batch_size=7, lease_seconds=30, poll_seconds=0.05),
)


@pytest.fixture
def app(settings) -> AppStore:
    store = AppStore(settings.database_url)
    store.upgrade()
    return store


def report_for(app: AppStore, *addresses: str) -> ReportToSend:
    row = app.record_report(ReportResult(week=WEEK, state="succeeded"))
    for address in addresses:
        app.subscribe(address, f"Name {address.split('@')[0]}")
    return ReportToSend(
        report_id=row.id,
        week=WEEK,
        summary=SUMMARY,
        pdf=PDF,
        pdf_filename="weekly-report-2024-03-04.pdf",
    )


def mailer(server) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(server.host, server.port, "none"), timeout=10)


def test_received_messages_parse_with_right_headers_and_identical_attachment(
    app: AppStore, smtp_server
) -> None:
    report = report_for(app, "ann@example.com", "bob@example.com")
    links = UnsubscribeLinks(
        "https://reports.example.com/unsubscribe",
        UnsubscribeSigner(SECRET),
        mailto="unsubscribe@example.com",
    )
    settings = DeliverySettings(policy=FAST.policy, sender=FAST.sender, unsubscribe=links)
    outcome = dispatch_report(
        app, report, mailer(smtp_server), "Reports <reports@example.com>", settings=settings
    )
    assert (outcome.sent, outcome.failed, outcome.dead, outcome.skipped) == (2, 0, 0, 0)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "ann@example.com",
        "bob@example.com",
    ]
    for received in smtp_server.messages:
        message = received.message
        recipient = received.rcpt_tos[0]
        assert "2024-03-04" in message["Subject"]
        assert message["To"].addresses[0].addr_spec == recipient
        assert message["Message-ID"].endswith("@example.com>")
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == "weekly-report-2024-03-04.pdf"
        assert attachment.get_payload(decode=True) == PDF  # byte-identical
        https, mailto = [part.strip(" <>") for part in message["List-Unsubscribe"].split(",")]
        assert https.startswith("https://reports.example.com/unsubscribe?token=")
        assert mailto.startswith("mailto:unsubscribe@example.com?subject=unsubscribe%20")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = https.split("token=", 1)[1]
        assert links.signer.verify(token) == recipient  # per-recipient token
        text = message.get_body(("plain",)).get_content()
        assert f"Name {recipient.split('@')[0]}" in text
    rows = {d.email: d for d in app.deliveries(report.report_id)}
    assert {d.status for d in rows.values()} == {SENT}
    assert {d.message_id for d in rows.values()} == {
        str(m.message["Message-ID"]) for m in smtp_server.messages
    }


def test_faulty_server_drops_451_and_550_end_in_right_counts(app: AppStore, smtp_server) -> None:
    good = [f"ok{i}@example.com" for i in range(20)]
    flaky = [f"flaky{i}@example.com" for i in range(3)]  # 451 twice, then accepted
    stuck = ["stuck@example.com"]  # 451 on every attempt: dead after max_attempts
    refused = ["nouser@example.com", "gone@example.com"]  # 550: dead at once
    report = report_for(app, *good, *flaky, *stuck, *refused)
    for address in flaky:
        smtp_server.transient(address, times=2)
    smtp_server.transient(stuck[0], times=1000)
    for address in refused:
        smtp_server.refuse(address, "550 5.1.1 No such user")
    smtp_server.drop_data_every = 6  # the server hangs up mid-DATA now and then

    outcome = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST
    )

    assert (outcome.sent, outcome.failed, outcome.dead) == (23, 0, 3)
    received = Counter(m.rcpt_tos[0] for m in smtp_server.messages)
    assert received == Counter({address: 1 for address in good + flaky})
    rows = {d.email: d for d in app.deliveries(report.report_id)}
    assert all(rows[a].attempts == 3 and rows[a].status == SENT for a in flaky)
    assert rows["stuck@example.com"].status == DEAD
    assert rows["stuck@example.com"].attempts == 3
    assert "451" in rows["stuck@example.com"].last_error
    for address in refused:
        assert (rows[address].status, rows[address].attempts) == (DEAD, 1)
        assert "550" in rows[address].last_error
    assert smtp_server.connections > 1  # it reconnected after the drops


def test_replay_resends_only_failed_and_dead_and_force_resends_all(
    app: AppStore, smtp_server
) -> None:
    report = report_for(app, "ann@example.com", "bob@example.com")
    # Not a hard bounce (5.1.x / 5.2.1 would suppress bob, and replay would skip him).
    smtp_server.refuse("bob@example.com", "554 5.7.1 Rejected by policy")
    first = dispatch_report(app, report, mailer(smtp_server), "reports@example.com", settings=FAST)
    assert (first.sent, first.dead) == (1, 1)

    smtp_server.refusals.clear()
    replay = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST, mode="replay"
    )
    assert (replay.sent, replay.skipped, replay.dead) == (1, 1, 0)
    assert Counter(m.rcpt_tos[0] for m in smtp_server.messages) == Counter(
        {"ann@example.com": 1, "bob@example.com": 1}
    )

    again = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST, mode="replay"
    )
    assert (again.sent, again.skipped) == (0, 2)
    forced = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST, force=True
    )
    assert (forced.sent, forced.skipped) == (2, 0)


def test_suppressed_addresses_get_nothing(app: AppStore, smtp_server) -> None:
    report = report_for(app, "ann@example.com", "bounced@example.com")
    OutboxStore(app).snapshot(report.report_id)  # the row exists before the bounce lands
    with app.session() as session, session.begin():
        session.add(
            EmailSuppression(email="bounced@example.com", reason="bounce", created_at=utcnow())
        )
    outcome = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST
    )
    assert (outcome.sent, outcome.suppressed, outcome.dead) == (1, 1, 0)
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["ann@example.com"]
    assert {d.email: d.status for d in app.deliveries(report.report_id)} == {
        "ann@example.com": SENT,
        "bounced@example.com": SUPPRESSED,
    }


def test_subscribing_during_a_send_neither_duplicates_nor_joins_it(
    app: AppStore, smtp_server
) -> None:
    report = report_for(app, *(f"u{i}@example.com" for i in range(10)))

    def subscribe_mid_send(_received) -> None:
        app.subscribe("late@example.com")
        app.unsubscribe("u9@example.com")

    smtp_server.on_data = subscribe_mid_send
    outcome = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST
    )
    smtp_server.on_data = None
    assert outcome.sent == 10  # the snapshot taken at the start, whole
    assert "late@example.com" not in {m.rcpt_tos[0] for m in smtp_server.messages}
    # The explicit "send to new subscribers" action reaches the newcomer only.
    newcomers = dispatch_report(
        app, report, mailer(smtp_server), "reports@example.com", settings=FAST
    )
    assert (newcomers.sent, newcomers.skipped) == (1, 10)
    assert Counter(m.rcpt_tos[0] for m in smtp_server.messages)["late@example.com"] == 1
