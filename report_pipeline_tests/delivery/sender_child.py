"""A sender process for crash and concurrency tests: the real dispatch path, plus crash points.

    python -m report_pipeline_tests.delivery.sender_child DB_URL REPORT_ID SMTP_PORT [CRASH]

CRASH kills this process with SIGKILL at one exact point:
  before:<method>:<n> / after:<method>:<n>  around the n-th call of an OutboxStore
                                            method (snapshot, claim, mark_sent, ...)
  commit:<n>                                inside the n-th database transaction, just
                                            before its COMMIT reaches the database
  mailer-before:<n> / mailer-after:<n>      around the n-th SMTP hand-over
Prints one JSON line with the outcome when it is not killed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import Counter
from datetime import date

from sqlalchemy import event

from report_pipeline.appdb.deliveries import OutboxStore
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery import dispatch
from report_pipeline.delivery.mailers import SmtpMailer
from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.settings import DeliverySettings
from report_pipeline.settings import SmtpSettings

PDF = b"%PDF-1.4\n% crash test report\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
SUMMARY = {"documents_total": 3, "documents_ok": 2, "documents_failed": 1}


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _Crash:
    def __init__(self, spec: str | None) -> None:
        self.where, self.target, self.n = (None, None, 0)
        if spec:
            parts = spec.split(":")
            self.where, self.target, self.n = (
                parts[0],
                parts[1] if len(parts) == 3 else None,
                int(parts[-1]),
            )
        self.calls: Counter[str] = Counter()

    def at(self, where: str, target: str | None = None) -> None:
        key = f"{where}:{target}"
        self.calls[key] += 1
        if where == self.where and target == self.target and self.calls[key] == self.n:
            _die()


def main(argv: list[str]) -> None:
    url, report_id, port = argv[0], int(argv[1]), int(argv[2])
    crash = _Crash(argv[3] if len(argv) > 3 else None)
    lease = float(os.environ.get("SENDER_LEASE_SECONDS", "1"))

    class CrashingOutbox(OutboxStore):
        pass

    for name in (
        "snapshot",
        "reconcile_expired",
        "suppress_pending",
        "claim",
        "renew",
        "mark_sent",
        "mark_failed",
        "release",
    ):

        def wrapper(self, *args, _name=name, **kwargs):
            crash.at("before", _name)
            result = getattr(OutboxStore, _name)(self, *args, **kwargs)
            crash.at("after", _name)
            return result

        setattr(CrashingOutbox, name, wrapper)
    dispatch.OutboxStore = CrashingOutbox  # the real dispatch path, with crash points

    class CrashingMailer(SmtpMailer):
        def send(self, message):
            crash.at("mailer-before")
            result = super().send(message)
            crash.at("mailer-after")
            return result

    app = AppStore(url)
    event.listen(app.engine, "commit", lambda _conn: crash.at("commit"))
    settings = DeliverySettings(
        policy=RetryPolicy(
            max_attempts=int(os.environ.get("SENDER_MAX_ATTEMPTS", "100")),
            base_delay=0.05,
            max_delay=0.2,
        ),
        sender=SenderSettings(
            batch_size=int(os.environ.get("SENDER_BATCH", "20")),
            lease_seconds=lease,
            poll_seconds=0.1,
        ),
    )
    report = dispatch.ReportToSend(
        report_id=report_id,
        week=date(2024, 3, 4),
        summary=SUMMARY,
        pdf=PDF,
        pdf_filename="weekly-report-2024-03-04.pdf",
    )
    mailer = CrashingMailer(SmtpSettings("127.0.0.1", port, security="none"), timeout=10)
    outcome = dispatch.dispatch_report(
        app, report, mailer, "Reports <reports@example.com>", settings=settings
    )
    print(json.dumps({"sent": outcome.sent, "failed": outcome.failed, "dead": outcome.dead}))


if __name__ == "__main__":
    main(sys.argv[1:])
