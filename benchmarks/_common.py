"""Shared pieces of the benchmarks: machine info, timing, an isolated product home."""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine_info() -> str:
    if shutil.which("tesseract") is None:  # `make bench` installs it; a single bench may not
        first: list[str] = []
    else:
        tesseract = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        first = (tesseract.stdout or tesseract.stderr).splitlines()[:1]
    return (
        f"machine: {platform.platform()} python {platform.python_version()}"
        f" cpus {os.cpu_count()} {first[0] if first else 'tesseract missing'}"
    )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def isolated_home(prefix: str) -> Path:
    """A fresh REPORT_PIPELINE_HOME; set before report_pipeline is imported."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["REPORT_PIPELINE_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    # The benchmark week is a partition only from this first week on (default 2026-01-05).
    os.environ["REPORT_PIPELINE_FIRST_WEEK"] = WEEK_KEY
    (home / "dagster").mkdir(parents=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster" / "dagster.yaml")
    return home


WEEK_KEY = "2024-03-04"

# The production instance's storage (deploy/dagster.yaml) on the machine's PostgreSQL,
# in a fresh database per benchmark run: Dagster's per-run and per-event costs are
# measured on what a deployment writes its runs and events to, not the demo's SQLite.
POSTGRES_STORAGE = """telemetry:
  enabled: false
storage:
  postgres:
    postgres_db:
      hostname: {host}
      port: {port}
      username: {user}
      password: ""
      db_name: {db}
      scheme: postgresql+psycopg2
"""


def use_postgres_instance(home: Path, host: str = "127.0.0.1", port: int = 5432) -> str:
    """Point the home's Dagster instance at a new database on ``host`` (trust auth)."""
    import psycopg2

    name = f"bench_{home.name.replace('-', '_').lower()}"
    connection = psycopg2.connect(host=host, port=port, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    text = POSTGRES_STORAGE.format(host=host, port=port, user="postgres", db=name)
    (home / "dagster" / "dagster.yaml").write_text(text)
    return name


def make_page_images(directory: Path, count: int, words: int = 300) -> list[Path]:
    """Scanned-looking A4 pages at 150 dpi with about `words` words each."""
    from report_pipeline.tooling.samples import page_text, scanned_page_png

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = directory / f"page-{number:05d}.png"
        path.write_bytes(scanned_page_png(page_text(seed=number, words=words)))
        paths.append(path)
    return paths


def seed_week(images: list[Path], texts: int) -> None:
    """Catalog the images and `texts` clinical notes in the week of WEEK_KEY."""
    from datetime import datetime, timedelta

    from report_pipeline.pipeline.documents import store_document
    from report_pipeline.resources.connections import open_services
    from report_pipeline.settings import load_settings
    from report_pipeline.tooling.samples import clinical_note_text

    services = open_services(load_settings())
    start = datetime.fromisoformat(WEEK_KEY).replace(hour=8, tzinfo=UTC)
    for number, path in enumerate(images):
        store_document(
            services,
            path.read_bytes(),
            path.name,
            "image/png",
            f"customer-{number % 7}",
            start + timedelta(seconds=number),
        )
    for number in range(texts):
        store_document(
            services,
            clinical_note_text(seed=number).encode(),
            f"note-{number}.txt",
            "text/plain",
            f"customer-{number % 7}",
            start + timedelta(seconds=number),
        )


def raw_tesseract(paths: list[Path]) -> None:
    """The baseline: the tesseract CLI, one process per core, OMP_THREAD_LIMIT=1."""
    from concurrent.futures import ThreadPoolExecutor

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def ocr(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "stdout"], env=env, check=True, capture_output=True)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(ocr, paths))


def run_chain(
    assets: tuple[str, ...] = ("document_manifest", "document_features", "weekly_report"),
) -> None:
    """One Dagster run of the weekly job (multiprocess executor) over the benchmark week."""
    from dagster import AssetKey, DagsterInstance, execute_job, reconstructable

    from report_pipeline.defs.runs import weekly_report_job_def

    with DagsterInstance.get() as instance:
        result = execute_job(
            reconstructable(weekly_report_job_def),
            instance=instance,
            tags={"dagster/partition": WEEK_KEY},
            asset_selection=[AssetKey(name) for name in assets],
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    if not result.success:
        raise SystemExit("the product run failed")


PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Orphans (a run's forkserver and its step processes) come to us, so their CPU counts."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(timeout: float = 30.0) -> int:
    """Wait for adopted orphans (the forkserver exits when the run closes its pipe)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            time.sleep(0.1)
    import psutil

    return len(psutil.Process().children())


def cpu_now() -> float:
    """CPU seconds (user + sys) of this process and every descendant it has reaped."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_cpu(action: Callable[[], object]) -> tuple[float, float]:
    """(wall s, CPU s) of an action, its child processes and their adopted orphans.

    On a shared machine CPU seconds measure the work; wall time also measures waiting.
    """
    adopt_orphans()
    began_cpu, began = cpu_now(), time.perf_counter()
    action()
    wall = time.perf_counter() - began
    reap_orphans()
    return wall, cpu_now() - began_cpu


def run_chain_in_child(assets: tuple[str, ...], tree: Path = ROOT) -> None:
    """run_chain in a child process with `tree` first on its path (its CPU can be counted:
    an in-process run keeps its forkserver, and the steps' CPU, until this process ends)."""
    code = (
        f"import sys; sys.path[:0] = [{str(tree)!r}, {str(Path(__file__).parent)!r}];"
        f" import _common; _common.run_chain({assets!r})"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def drop_feature_cache(home: Path) -> None:
    shutil.rmtree(home / "objects" / "features", ignore_errors=True)


def seed_documents(documents: list[tuple[bytes, str, str]]) -> None:
    """Catalog (bytes, file name, content type) documents in the week of WEEK_KEY."""
    from datetime import datetime, timedelta

    from report_pipeline.pipeline.documents import store_document
    from report_pipeline.resources.connections import open_services
    from report_pipeline.settings import load_settings

    services = open_services(load_settings())
    start = datetime.fromisoformat(WEEK_KEY).replace(hour=8, tzinfo=UTC)
    for number, (data, name, content_type) in enumerate(documents):
        store_document(
            services,
            data,
            name,
            content_type,
            f"customer-{number % 3}",
            start + timedelta(seconds=number),
        )


def _describe(process) -> str:
    """A process's pid and the tail of its command line (what Dagster started it for)."""
    command = " ".join(process.cmdline())
    return f"{process.pid} {command[-90:]}"


def _cpu_of(process) -> float:
    # Own time only: the forkserver's reaped children are sampled as processes of their own.
    times = process.cpu_times()
    return times.user + times.system


class TreeRss:
    """Peak memory of this process and all its descendants, sampled in a thread.

    Dagster's step processes are children of the run's process. Three figures:
    `peak_mb` the summed RSS (overstates: pages shared between forked processes
    count once per process), `peak_pss_mb` the summed PSS (shared pages split
    between their processes: what the machine must hold) and `peak_single_mb`
    the largest single process's RSS.
    """

    def __init__(self, interval_s: float = 0.3, include_self: bool = True) -> None:
        import threading

        self.interval_s = interval_s
        # False: only the descendants count (a run started in a fresh child process, as
        # production's run launcher starts one, not in the benchmark that seeded the week).
        self.include_self = include_self
        self._earlier: set[int] = set()
        self.peak_mb = self.peak_pss_mb = self.peak_single_mb = 0.0
        self.at_peak: list[tuple[str, float]] = []  # (process, PSS MB) at the summed PSS peak
        self.own_peaks: dict[int, float] = {}  # pid -> its largest own (unshared) memory, MB
        # pid -> its CPU seconds (own and reaped children's) when last sampled: the step
        # processes are the forkserver's children, which getrusage never sees.
        self.cpu_by_pid: dict[int, float] = {}
        self._cpu_start = self._sampler_cpu = 0.0  # the sampler's own CPU is not the run's
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def cpu_s(self) -> float:
        """CPU seconds of the tree while sampled (this process counted from __enter__)."""
        sampler = self._sampler_cpu if self.include_self else 0.0
        return sum(self.cpu_by_pid.values()) - self._cpu_start - sampler

    def __enter__(self) -> TreeRss:
        import psutil

        me = psutil.Process()
        self._cpu_start = _cpu_of(me) if self.include_self else 0.0
        if not self.include_self:  # left by earlier in-process runs (their forkservers)
            self._earlier = {process.pid for process in me.children(recursive=True)}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            shares: list[tuple[str, float]] = []
            others = [p for p in me.children(recursive=True) if p.pid not in self._earlier]
            for process in [me] * self.include_self + others:
                try:
                    info = process.memory_full_info()
                    name = _describe(process)
                    self.cpu_by_pid[process.pid] = _cpu_of(process)
                except psutil.Error:  # ended between listing and reading
                    continue
                rss += info.rss
                share = getattr(info, "pss", info.rss)
                pss += share
                private = getattr(info, "uss", info.rss) / 1024 / 1024
                self.own_peaks[process.pid] = max(self.own_peaks.get(process.pid, 0.0), private)
                shares.append((f"{private:6.1f} MB own  {name}", share / 1024 / 1024))
                self.peak_single_mb = max(self.peak_single_mb, info.rss / 1024 / 1024)
            self.peak_mb = max(self.peak_mb, rss / 1024 / 1024)
            if pss / 1024 / 1024 > self.peak_pss_mb:
                self.peak_pss_mb, self.at_peak = pss / 1024 / 1024, shares
            self._sampler_cpu = time.thread_time()
            self._stop.wait(self.interval_s)
