"""Celery worker processes for tests, started the way deploy/ starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from report_pipeline_tests.services import wait_for

CELERY_CONFIG_DIR = Path(__file__).resolve().parents[2] / "deploy" / "celery"


@dataclass(frozen=True)
class Worker:
    name: str  # the Celery node name, e.g. rp-0-1a2b3c@host
    process: subprocess.Popen
    log: Path

    def owns(self, pid: int) -> bool:
        """True when pid is this worker or one of its pool processes."""
        return pid == self.process.pid or _parent_of(pid) == self.process.pid


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def worker_env(env: dict[str, str], broker: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(CELERY_CONFIG_DIR), env.get("PYTHONPATH")) if p)
    return {**env, "REPORT_PIPELINE_CELERY_BROKER": broker, "PYTHONPATH": path}


def _answering(broker: str, names: list[str]) -> set[str]:
    from celery import Celery

    app = Celery(broker=broker, backend=broker)
    try:
        replies = app.control.ping(destination=names, timeout=1.0)
    finally:
        app.close()
    return {name for reply in replies for name in reply}


@contextmanager
def celery_workers(
    count: int, env: dict[str, str], broker: str, logs: Path
) -> Iterator[list[Worker]]:
    """`count` workers of one process slot each, listening on dagster-celery's queue."""
    tag = uuid.uuid4().hex[:6]
    workers: list[Worker] = []
    try:
        for number in range(count):
            name = f"rp-{number}-{tag}@%h"
            log = logs / f"worker-{number}.log"
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "dagster_celery.app",
                    "worker",
                    "-Q",
                    "dagster",
                    "-n",
                    name,
                    "--concurrency",
                    "1",
                    "--pool",
                    "prefork",
                    "--prefetch-multiplier",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                env=worker_env(env, broker),
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so teardown reaches the pool
            )
            workers.append(Worker(name.replace("%h", os.uname().nodename), process, log))
        names = [w.name for w in workers]
        if not wait_for(lambda: _answering(broker, names) == set(names), timeout=60):
            logs_text = "\n".join(w.log.read_text(errors="replace")[-2000:] for w in workers)
            raise RuntimeError(f"celery workers did not come up:\n{logs_text}")
        yield workers
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                os.killpg(worker.process.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
