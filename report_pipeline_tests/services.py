"""Real services for tests: a moto S3 server over HTTP and a throwaway PostgreSQL.

PostgreSQL: the server on 127.0.0.1:5432 when it answers, otherwise a
temporary cluster started from the machine's PostgreSQL binaries; either way
each test session gets its own database, dropped at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _pg_answers(dsn: str) -> bool:
    try:
        psycopg2.connect(dsn, connect_timeout=3).close()
        return True
    except psycopg2.OperationalError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgCluster:
    """A PostgreSQL cluster of the caller's own in a temp dir, on a free port: started,
    stopped (as an outage) and started again on the same data."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no PostgreSQL server on 127.0.0.1:5432 and no initdb to start one")
        self.bindir = os.path.dirname(bins[-1])
        self.datadir = tempfile.mkdtemp(prefix="report-pipeline-pg-")
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        if self._as:
            shutil.chown(self.datadir, "postgres")
        self._tool("initdb", "-D", self.datadir, "-U", "postgres", "--auth=trust")

    def _tool(self, name: str, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self._as, f"{self.bindir}/{name}", *args], check=check, capture_output=True
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1"
        # -l: the server's output goes to a file, not to pipes it would hold open forever
        log = f"{self.datadir}/server.log"
        self._tool("pg_ctl", "-D", self.datadir, "-l", log, "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session now, as a database restart or failover does."""
        self._tool("pg_ctl", "-D", self.datadir, "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)


@contextmanager
def _temporary_cluster() -> Iterator[str]:
    cluster = PgCluster()
    cluster.start()
    try:
        yield cluster.dsn
    finally:
        cluster.remove()


@contextmanager
def postgres_server() -> Iterator[str]:
    dsn = os.environ.get("REPORT_PIPELINE_TEST_PG", DEFAULT_PG)
    if _pg_answers(dsn):
        yield dsn
        return
    with _temporary_cluster() as started:
        yield started


@contextmanager
def throwaway_database(server_dsn: str) -> Iterator[str]:
    """A fresh database on the server; returns a SQLAlchemy URL for it."""
    name = f"rp_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(server_dsn)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    base = server_dsn.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg2://')}/{name}"
    finally:
        cursor = admin.cursor()
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@contextmanager
def moto_s3_server() -> Iterator[str]:
    """A real HTTP S3 API on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def create_bucket(endpoint: str, name: str) -> None:
    """A bucket on the moto server at `endpoint` (its test credentials)."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=name)


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
