"""Services the production tests need beyond report_pipeline_tests/services.py.

Redis: the server on 127.0.0.1:6379 when it answers (on a database index of
its own, so queues of other sessions stay apart), otherwise a throwaway
`redis-server` on a free port. MongoDB: mongomock behind `pymongo.MongoClient`
unless REPORT_PIPELINE_TEST_MONGO_URI names a real server.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from report_pipeline_tests.services import free_port, wait_for

DEFAULT_REDIS = ("127.0.0.1", 6379)
MOCK_MONGO_URI = "mongodb://mongo.test:27017"


def _redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis URL: the machine's server, or one started for this session."""
    if _redis_answers(*DEFAULT_REDIS):
        yield f"redis://{DEFAULT_REDIS[0]}:{DEFAULT_REDIS[1]}/{random.randint(1, 15)}"
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "no Redis on 127.0.0.1:6379 and no redis-server to start one"
            " (apt-get install redis-server)"
        )
    workdir = tempfile.mkdtemp(prefix="report-pipeline-redis-")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for(lambda: _redis_answers("127.0.0.1", port), timeout=20):
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


def real_mongo_uri() -> str | None:
    return os.environ.get("REPORT_PIPELINE_TEST_MONGO_URI") or None


@contextmanager
def mongo_uri() -> Iterator[str]:
    """A URI the catalog resource can open: a real server, or mongomock patched in."""
    real = real_mongo_uri()
    if real:
        yield real
        return
    import mongomock

    with mongomock.patch(servers=(("mongo.test", 27017),)):
        yield MOCK_MONGO_URI


def pg_env(url: str) -> dict[str, str]:
    """DAGSTER_PG_* variables (as deploy/dagster.yaml reads them) for a SQLAlchemy URL."""
    parts = urlsplit(url)
    return {
        "DAGSTER_PG_HOST": parts.hostname or "127.0.0.1",
        "DAGSTER_PG_PORT": str(parts.port or 5432),
        "DAGSTER_PG_USERNAME": parts.username or "postgres",
        "DAGSTER_PG_PASSWORD": parts.password or "",
        "DAGSTER_PG_DB": parts.path.lstrip("/"),
    }


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
