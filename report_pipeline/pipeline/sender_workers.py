"""`report-pipeline deliveries work`: N sender threads, each with its own mail connection.

Each thread runs `delivery.worker.run_worker` with its own outbox connection,
its own mailer (one SMTP session, or one SES client) and its own cache of
report messages; they share the app database's engine, the object store and
the send-rate bucket (Redis or the app database, so other processes and
machines share it too). A configuration error (certificate, login) in one
thread stops them all: no message can pass until an operator fixes it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from report_pipeline.appdb.deliveries import OutboxStore
from report_pipeline.delivery.mailers import MailerConfigError
from report_pipeline.delivery.outbox import SenderTotals
from report_pipeline.delivery.settings import delivery_settings
from report_pipeline.delivery.worker import WorkerSettings, run_worker
from report_pipeline.pipeline.sending import ReportMailCache
from report_pipeline.resources.connections import (
    object_store_config,
    open_app_database,
    open_object_store,
    open_settings_mailer,
    sender_address,
)
from report_pipeline.settings import Settings


@dataclass
class WorkResult:
    senders: int
    seconds: float = 0.0
    sent: int = 0
    failed: int = 0  # attempts that failed and will be retried
    dead: int = 0
    lost_leases: int = 0
    stopped: str = "idle"  # idle | signal | error
    errors: list[str] = field(default_factory=list)  # what stopped a sender
    dead_errors: list[str] = field(default_factory=list)

    def add(self, totals: SenderTotals) -> None:
        self.sent += totals.sent
        self.failed += totals.failed
        self.dead += totals.dead
        self.lost_leases += totals.lost_leases
        self.dead_errors += totals.errors


def run_sender_workers(
    settings: Settings, concurrency: int, stop: threading.Event, worker: WorkerSettings
) -> WorkResult:
    """Run `concurrency` senders until `stop` is set or, `until_idle`, the outbox is drained."""
    app = open_app_database(settings)
    store = open_object_store(object_store_config(settings))
    delivery = delivery_settings(settings.delivery)
    result, lock = WorkResult(senders=concurrency), threading.Lock()

    def sender() -> None:
        outbox = OutboxStore(app)
        cache = ReportMailCache(store, app, delivery, settings, sender_address(settings))
        try:
            totals = run_worker(
                outbox,
                cache,
                open_settings_mailer(settings, app),
                stop=stop,
                policy=delivery.policy,
                settings=delivery.sender,
                worker=worker,
            )
        except MailerConfigError as error:
            _fail(result, lock, stop, str(error))
        except Exception as error:  # one line for the operator, the others stop too
            _fail(result, lock, stop, f"{type(error).__name__}: {error}")
        else:
            with lock:
                result.add(totals)
        finally:
            outbox.close()

    started = time.monotonic()
    threads = [
        threading.Thread(target=sender, name=f"sender-{n}", daemon=True) for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Short joins keep the main thread free to run the signal handlers.
        while thread.is_alive():
            thread.join(0.2)
    result.seconds = time.monotonic() - started
    if result.errors:
        result.stopped = "error"
    elif stop.is_set():
        result.stopped = "signal"
    app.engine.dispose()
    return result


def _fail(result: WorkResult, lock: threading.Lock, stop: threading.Event, message: str) -> None:
    with lock:
        result.errors.append(message)
    stop.set()
