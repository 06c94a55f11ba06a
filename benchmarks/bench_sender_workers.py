"""Sender workers: does sending scale with processes, and does the shared rate hold?

    .venv/bin/python benchmarks/bench_sender_workers.py [--messages 600] [--rounds 2]
        [--limited 2000] [--rate 50] [--limited-workers 4] [--stores redis database]

An SMTP sink (aiosmtpd, its own process) accepts every message after a 20 ms
delay, as a real relay answers; sessions are served concurrently. Every figure
is measured by the product's own command, `report-pipeline deliveries work
--until-idle`, against rows in a PostgreSQL outbox:

1. Scaling: the same number of messages sent by 1 worker process, then by 4
   (one sender each), alternating for `--rounds` rounds so load drift hits
   both. The workers are started and up (they print "started") before the
   week's rows are snapshotted; throughput is messages / time from the snapshot
   to the last row recorded sent, so process start-up is not counted. Ends with
   `ratio: X.XX` (4 processes / 1 process; goal >= 3).
2. Shared rate: `--limited` messages, `--limited-workers` processes, one send
   rate of `--rate` msg/s (REPORT_PIPELINE_SMTP_MAX_RATE) shared in Redis, then
   in the app database. The aggregate rate at the sink must stay within 5%.
3. The bucket alone: `--limited-workers` processes taking `--limited` tokens
   together from the same bucket (no mail), so the limit is exercised even
   where a loaded machine keeps the senders below it.
Choose with `--parts scaling rate bucket` (all by default).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update

from benchmarks import bench_email_delivery as email_bench
from benchmarks._common import machine_info
from report_pipeline.appdb.deliveries import OutboxStore
from report_pipeline.appdb.schema import Subscriber
from report_pipeline.appdb.store import AppStore, ReportResult, utcnow
from report_pipeline.pipeline.publish import publish_report
from report_pipeline.resources.connections import object_store_config, open_object_store
from report_pipeline.settings import load_settings
from report_pipeline_tests.production.services import redis_server
from report_pipeline_tests.report.factories import entry, image_ok, text_ok
from report_pipeline_tests.services import postgres_server, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
DELAY = 0.020  # seconds the sink takes to accept a message


class SlowSink:
    """Accepts each message after DELAY; appends its acceptance time to a file."""

    def __init__(self, log_path: str) -> None:
        self.log = open(log_path, "a", buffering=1, encoding="ascii")

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(DELAY)  # other sessions go on meanwhile, as on a real relay
        self.log.write(f"{time.time()}\n")
        return "250 OK"


def start_sink(log_path: str) -> tuple[multiprocessing.Process, int]:
    return email_bench.start_sink(log_path, SlowSink)


class Bench:
    def __init__(self, home: Path, database_url: str, port: int, log_path: str) -> None:
        self.home, self.database_url, self.port, self.log_path = home, database_url, port, log_path
        self.app = AppStore(database_url)
        self.app.upgrade()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("REPORT_PIPELINE_")},
            "PYTHONPATH": str(ROOT),
            "REPORT_PIPELINE_HOME": str(home),
            "REPORT_PIPELINE_FIRST_WEEK": "2020-01-06",
            "REPORT_PIPELINE_DATABASE_URL": database_url,
            "REPORT_PIPELINE_MAILER": "smtp",
            "REPORT_PIPELINE_SMTP_HOST": "127.0.0.1",
            "REPORT_PIPELINE_SMTP_PORT": str(port),
            "REPORT_PIPELINE_SMTP_SECURITY": "none",
        }
        self.store = open_object_store(object_store_config(load_settings(self.env)))
        self.weeks = 0

    def publish(self, messages: int) -> int:
        """A new week's rendered report and `messages` fresh subscribers; not yet snapshotted."""
        week = date(2020, 1, 6) + timedelta(weeks=self.weeks)
        self.weeks += 1
        created = datetime(week.year, week.month, week.day, 12, tzinfo=UTC)
        entries = [entry("doc-a", created_at=created), entry("doc-b", created_at=created)]
        out = publish_report(self.store, week, entries, [text_ok("doc-a"), image_ok("doc-b")])
        report = self.app.record_report(
            ReportResult(
                week,
                "succeeded",
                report_uri=out.uri,
                pdf_key=out.pdf_key,
                pdf_sha256=out.pdf_sha256,
                documents_total=2,
            )
        )
        with self.app.session() as session, session.begin():
            # Earlier weeks' readers leave: each week's rows are this week's readers only.
            session.execute(update(Subscriber).values(active=False))
            session.execute(
                insert(Subscriber),
                [
                    {
                        "email": f"w{self.weeks}-user{i:05d}@example.com",
                        "active": True,
                        "subscribed_at": utcnow(),
                        "customer": "all",
                    }
                    for i in range(messages)
                ],
            )
        return report.id

    def drain(self, report_id: int, messages: int, processes: int, **extra: str) -> dict:
        """Start `processes` long-running workers, wait until all are up, then snapshot
        the report's rows and time until every one is sent; then SIGTERM them."""
        Path(self.log_path).write_text("")
        env = {**self.env, **extra}
        cpu_before = _children_cpu()
        command = [sys.executable, "-m", "report_pipeline.cli", "deliveries", "work"]
        workers = [
            subprocess.Popen(
                [*command, "--json", "--poll-seconds", "0.1"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        for worker in workers:  # start-up (imports, connections) is not what we measure
            line = worker.stderr.readline()
            if "started" not in line:
                raise SystemExit(f"a worker did not start: {line}{worker.stderr.read()}")
        outbox = OutboxStore(self.app)
        started = time.perf_counter()
        outbox.snapshot(report_id)
        while outbox.counts(report_id)["sent"] < messages:
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=120) for worker in workers]
        for worker, (_out, err) in zip(workers, outputs, strict=True):
            if worker.returncode != 0:
                raise SystemExit(f"a worker failed: {err[-2000:]}")
        sent = sum(json.loads(out)["sent"] for out, _ in outputs)
        accepted = sorted(float(line) for line in Path(self.log_path).read_text().split())
        # CPU of the workers (start-up included): what a loaded machine starves them of.
        cpu = _children_cpu() - cpu_before
        return {"sent": sent, "seconds": seconds, "accepted": accepted, "cpu": cpu}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bucket_only(store: str, url: str, args: argparse.Namespace) -> None:
    from report_pipeline_tests.delivery.shared_rate import take_in_processes

    each = args.limited // args.limited_workers
    name = f"bench-{time.time_ns()}"
    kind = "redis" if store == "redis" else "database"
    times = take_in_processes(kind, url, name, args.rate, each, args.limited_workers)
    aggregate = rate_of(times)
    print(
        f"bucket alone in {store}: {len(times)} tokens by {args.limited_workers} processes at"
        f" {args.rate:g}/s: aggregate {aggregate:.2f}/s ({aggregate / args.rate:.3f} x the"
        f" limit), at most {most_in_one_second(times)} in any 1 s"
    )


def rate_of(accepted: list[float]) -> float:
    return (len(accepted) - 1) / (accepted[-1] - accepted[0])


def most_in_one_second(accepted: list[float]) -> int:
    best, start = 0, 0
    for end, moment in enumerate(accepted):
        while moment - accepted[start] > 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600, help="per scaling run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limited", type=int, default=2000, help="messages of the rate run")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--limited-workers", type=int, default=4)
    parser.add_argument("--stores", nargs="*", default=["redis", "database"])
    parser.add_argument("--parts", nargs="*", default=["scaling", "rate", "bucket"])
    args = parser.parse_args()
    print(machine_info())
    print(f"before: {load()}")

    log_path = tempfile.mktemp(prefix="sink-", suffix=".log")
    sink, port = start_sink(log_path)
    home = Path(tempfile.mkdtemp(prefix="bench-senders-"))
    try:
        with (
            postgres_server() as dsn,
            throwaway_database(dsn) as url,
            redis_server() as redis_url,
        ):
            bench = Bench(home, url, port, log_path)
            rates: dict[int, list[float]] = {1: [], 4: []}
            for _ in range(args.rounds if "scaling" in args.parts else 0):
                for processes in (1, 4):
                    report_id = bench.publish(args.messages)
                    run = bench.drain(report_id, args.messages, processes)
                    assert run["sent"] == args.messages == len(run["accepted"]), run["sent"]
                    rate = args.messages / run["seconds"]
                    rates[processes].append(rate)
                    print(
                        f"{processes} worker process(es): {args.messages} messages in"
                        f" {run['seconds']:.2f} s, {rate:.1f} msg/s"
                        f" (at the sink: {rate_of(run['accepted']):.1f} msg/s); workers' CPU"
                        f" {run['cpu']:.1f} s, {run['cpu'] / args.messages * 1000:.1f} ms/message"
                    )
            if "scaling" in args.parts:
                one, four = (sum(rates[n]) / len(rates[n]) for n in (1, 4))
                print(
                    f"sink delay {DELAY * 1000:.0f} ms per message; mean of {args.rounds} rounds:"
                )
                print(f"1 process: {one:.1f} msg/s; 4 processes: {four:.1f} msg/s")
                print(f"ratio: {four / one:.2f}")
                print(f"during: {load()}")

            for store in args.stores if "rate" in args.parts else []:
                report_id = bench.publish(args.limited)
                extra = {"REPORT_PIPELINE_SMTP_MAX_RATE": str(args.rate)}
                if store == "redis":
                    extra["REPORT_PIPELINE_REDIS_URL"] = redis_url
                run = bench.drain(report_id, args.limited, args.limited_workers, **extra)
                accepted = run["accepted"]
                assert run["sent"] == args.limited == len(accepted)
                aggregate = rate_of(accepted)
                overall = args.limited / run["seconds"]
                print(
                    f"shared rate in {store}: {args.limited} messages by"
                    f" {args.limited_workers} worker processes at REPORT_PIPELINE_SMTP_MAX_RATE="
                    f"{args.rate:g}: aggregate {aggregate:.2f} msg/s at the sink"
                    f" ({aggregate / args.rate:.3f} x the limit; {overall:.2f} msg/s from the"
                    f" snapshot to the last sent), at most {most_in_one_second(accepted)} in 1 s"
                )
            for store in args.stores if "bucket" in args.parts else []:
                bucket_only(store, redis_url if store == "redis" else url, args)
            print(f"after: {load()}")
    finally:
        sink.terminate()
        sink.join(10)
        if os.path.exists(log_path):
            os.unlink(log_path)


if __name__ == "__main__":
    main()
