"""Email delivery throughput: the product's full path against raw smtplib, in one run.

    .venv/bin/python benchmarks/bench_email_delivery.py [--recipients 5000]

Both send the same 5,000 report emails to one local aiosmtpd sink:
  product: outbox rows in PostgreSQL (snapshot, claim with SKIP LOCKED, a `sent`
           commit per message), jinja2 rendering and MIME building per recipient,
           SmtpMailer over one reused connection;
  raw:     smtplib.sendmail of the pre-built message bytes over one connection.
It also measures the duplicate window per message: from the sink accepting the
message to the sender's `sent` commit returning. Ends with `ratio: X.XX`
(product rate / raw rate).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller
from sqlalchemy import insert, update

from report_pipeline.appdb.deliveries import ClaimedDelivery, OutboxStore
from report_pipeline.appdb.schema import Subscriber
from report_pipeline.appdb.store import AppStore, ReportResult, utcnow
from report_pipeline.delivery import dispatch
from report_pipeline.delivery.mailers import SmtpMailer
from report_pipeline.delivery.settings import DeliverySettings
from report_pipeline.settings import SmtpSettings
from report_pipeline_tests.services import postgres_server, throwaway_database

SUMMARY = {
    "documents_total": 41,
    "documents_ok": 40,
    "documents_failed": 1,
    "by_customer": {"acme": 20, "globex": 11, "initech": 10},
}
SENDER = "Reports <reports@example.com>"


class Sink:
    """Accepts everything; appends "<Message-ID> <accept time>" per message to a file."""

    def __init__(self, log_path: str) -> None:
        self.log = open(log_path, "a", buffering=1, encoding="ascii")

    async def handle_DATA(self, server, session, envelope) -> str:
        head = envelope.original_content[:4000]
        start = head.find(b"Message-ID: ")
        end = head.find(b"\r\n", start)
        self.log.write(f"{head[start + 12 : end].decode()} {time.time()}\n")
        return "250 OK"


def _serve(port: int, log_path: str, handler: type) -> None:
    # Its own process, as a real MTA is: it must not compete with the sender for the GIL.
    controller = Controller(handler(log_path), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM})
    controller.stop()


def start_sink(log_path: str, handler: type = Sink) -> tuple[multiprocessing.Process, int]:
    """An aiosmtpd sink in its own process; `handler(log_path)` answers each message."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    process = multiprocessing.get_context("fork").Process(
        target=_serve, args=(port, log_path, handler)
    )
    process.start()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def sample_pdf() -> bytes:
    path = Path(__file__).resolve().parents[1] / "var/objects/reports"
    pdfs = sorted(path.glob("*/*/weekly-report.pdf")) if path.exists() else []
    if pdfs:
        return pdfs[-1].read_bytes()
    return b"%PDF-1.7\n" + os.urandom(60_000) + b"\n%%EOF\n"  # about the demo report's size


def prepare(url: str, recipients: int, rounds: int) -> tuple[AppStore, list[int]]:
    app = AppStore(url)
    app.upgrade()
    report_ids = []
    for number in range(rounds):
        # A report (week) per round, each with its own subscribers.
        week = date(2020, 1, 6) + timedelta(weeks=number)
        report = app.record_report(ReportResult(week=week, state="succeeded"))
        report_ids.append(report.id)
    return app, report_ids


def subscribe_round(app: AppStore, number: int, per_round: int) -> list[str]:
    addresses = [f"r{number}-user{i:05d}@example.com" for i in range(per_round)]
    with app.session() as session, session.begin():
        session.execute(update(Subscriber).values(active=False))
        session.execute(
            insert(Subscriber),
            [
                {"email": a, "name": f"User {i}", "active": True, "subscribed_at": utcnow()}
                for i, a in enumerate(addresses)
            ],
        )
    return addresses


def run_raw(port: int, messages: list[tuple[str, bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, data in messages:
            smtp.sendmail("reports@example.com", [recipient], data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="raw and product alternate in rounds, so load drift hits both",
    )
    args = parser.parse_args()
    per_round = args.recipients // args.rounds
    recipients = per_round * args.rounds

    log_path = tempfile.mktemp(prefix="sink-", suffix=".log")
    sink, port = start_sink(log_path)
    pdf = sample_pdf()
    committed: dict[str, float] = {}

    class TimedOutbox(OutboxStore):
        def mark_sent(self, delivery_id, owner, handover):
            result = super().mark_sent(delivery_id, owner, handover)
            committed[handover.message_id] = time.time()
            return result

    dispatch.OutboxStore = TimedOutbox
    raw_seconds = product_seconds = 0.0
    sent = 0
    try:
        with postgres_server() as dsn, throwaway_database(dsn) as url:
            app, report_ids = prepare(url, recipients, args.rounds)
            for number, report_id in enumerate(report_ids):
                addresses = subscribe_round(app, number, per_round)
                report = dispatch.ReportToSend(
                    report_id=report_id,
                    week=date(2024, 3, 4),
                    summary=SUMMARY,
                    pdf=pdf,
                    pdf_filename="weekly-report-2024-03-04.pdf",
                )
                # Raw baseline: the same messages, built beforehand (not timed).
                composer = dispatch.ReportComposer(report, SENDER)
                prebuilt = [
                    (a, composer(ClaimedDelivery(0, report_id, a, f"User {i}", 1)).as_bytes())
                    for i, a in enumerate(addresses)
                ]
                raw_seconds += run_raw(port, prebuilt)
                start = time.perf_counter()
                outcome = dispatch.dispatch_report(
                    app,
                    report,
                    SmtpMailer(SmtpSettings("127.0.0.1", port, "none")),
                    SENDER,
                    settings=DeliverySettings(),
                )
                product_seconds += time.perf_counter() - start
                sent += outcome.sent
            app.engine.dispose()
    finally:
        sink.terminate()
        sink.join(10)
    accepted = {}
    for line in Path(log_path).read_text().splitlines():
        message_id, _, moment = line.rpartition(" ")
        accepted[message_id] = float(moment)  # the product's copy comes last: keep it
    os.unlink(log_path)

    assert sent == recipients, sent
    windows = sorted(committed[m] - accepted[m] for m in committed if m in accepted)
    raw_rate, product_rate = recipients / raw_seconds, recipients / product_seconds
    print(
        f"recipients: {recipients} in {args.rounds} alternating rounds, message size"
        f" {len(prebuilt[0][1]):,} bytes (PDF {len(pdf):,} bytes)"
    )
    print(
        f"raw smtplib.sendmail, pre-built bytes, one connection: {raw_seconds:.2f} s,"
        f" {raw_rate:.0f} msg/s"
    )
    print(
        f"product (PostgreSQL outbox + render + SMTP + per-message status commit):"
        f" {product_seconds:.2f} s, {product_rate:.0f} msg/s"
    )
    print(
        f"duplicate window (sink accepted -> `sent` committed), ms: p50 "
        f"{statistics.median(windows) * 1000:.2f}, p99 "
        f"{windows[int(len(windows) * 0.99) - 1] * 1000:.2f}, max {windows[-1] * 1000:.2f}"
    )
    print(f"ratio: {product_rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
