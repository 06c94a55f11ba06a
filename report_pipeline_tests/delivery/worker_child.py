"""A sender worker process for the crash tests with several workers: the real worker loop
(`delivery.worker.run_worker`, as `report-pipeline deliveries work --until-idle` runs it)
over the whole outbox, plus the crash points of sender_child.py.

    python -m report_pipeline_tests.delivery.worker_child DB_URL SMTP_PORT [CRASH]

CRASH is as in sender_child.py (before:/after:<method>:<n>, commit:<n>,
mailer-before:<n>, mailer-after:<n>). Prints one JSON line with its totals
when it is not killed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading

from sqlalchemy import event

from report_pipeline.appdb.deliveries import OutboxStore
from report_pipeline.appdb.reports import get_report
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.dispatch import ReportComposer, ReportToSend
from report_pipeline.delivery.mailers import SmtpMailer
from report_pipeline.delivery.outbox import RetryPolicy, SenderSettings
from report_pipeline.delivery.worker import ReportMail, WorkerSettings, run_worker
from report_pipeline.settings import SmtpSettings
from report_pipeline_tests.delivery.sender_child import PDF, SUMMARY, _Crash

_METHODS = (
    "reconcile_expired",
    "suppress_pending",
    "claim",
    "renew",
    "mark_sent",
    "mark_failed",
    "release",
)


def crashing_outbox(crash: _Crash) -> type[OutboxStore]:
    class CrashingOutbox(OutboxStore):
        pass

    for name in _METHODS:

        def wrapper(self, *args, _name=name, **kwargs):
            crash.at("before", _name)
            result = getattr(OutboxStore, _name)(self, *args, **kwargs)
            crash.at("after", _name)
            return result

        setattr(CrashingOutbox, name, wrapper)
    return CrashingOutbox


def main(argv: list[str]) -> None:
    url, port = argv[0], int(argv[1])
    crash = _Crash(argv[2] if len(argv) > 2 else None)

    class CrashingMailer(SmtpMailer):
        def send(self, message):
            crash.at("mailer-before")
            result = super().send(message)
            crash.at("mailer-after")
            return result

    app = AppStore(url)
    event.listen(app.engine, "commit", lambda _conn: crash.at("commit"))

    def load_report(report_id: int) -> ReportMail:
        report = get_report(app, report_id)
        to_send = ReportToSend(
            report_id=report_id,
            week=report.week,
            summary=SUMMARY,
            pdf=PDF,
            pdf_filename="weekly-report.pdf",
        )
        composer = ReportComposer(to_send, "Reports <reports@example.com>")
        return ReportMail(composer, hashlib.sha256(PDF).hexdigest())

    totals = run_worker(
        crashing_outbox(crash)(app),
        load_report,
        CrashingMailer(SmtpSettings("127.0.0.1", port, security="none"), timeout=10),
        stop=threading.Event(),
        policy=RetryPolicy(max_attempts=100, base_delay=0.05, max_delay=0.2),
        settings=SenderSettings(
            batch_size=int(os.environ.get("SENDER_BATCH", "5")),
            lease_seconds=float(os.environ.get("SENDER_LEASE_SECONDS", "1")),
            poll_seconds=0.1,
        ),
        worker=WorkerSettings(until_idle=True, poll_seconds=0.1),
    )
    print(json.dumps({"sent": totals.sent, "failed": totals.failed, "dead": totals.dead}))


if __name__ == "__main__":
    main(sys.argv[1:])
