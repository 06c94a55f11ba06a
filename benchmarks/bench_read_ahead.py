"""Reading ahead: the Monday run of a week already read, against the same week read on Monday.

Seeds a week of clinical notes and scanned pages spread over its seven days, then, in one run:
  latency  the weekly run (manifest, features, report) with an empty feature cache
           vs  the same week after the daily read-ahead passes (target <= 0.10)
  cpu      CPU of the seven daily passes vs CPU of one weekly features run over the
           same documents, both in-process (target <= 1.10: splitting costs nothing)
  big      a large text-only week read ahead: the Monday run's seconds (target <= 60 s)
           and peak PSS of the run's process tree (target <= 400 MB)

Usage: python benchmarks/bench_read_ahead.py [--texts N] [--scanned N] [--measure M]
       [--instance sqlite|postgres]   (postgres: the deployed instance's storage, on 127.0.0.1)
Last line: `ratio: X.XX` (latency: after/before; cpu: passes/weekly; big: max(s/60, MB/400)).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from datetime import UTC, date, datetime, timedelta

from _common import (
    WEEK_KEY,
    TreeRss,
    drop_feature_cache,
    isolated_home,
    machine_info,
    make_page_images,
    run_chain,
    run_chain_in_child,
    timed,
    use_postgres_instance,
)

MONDAY_ASSETS = ("document_manifest", "document_features", "weekly_report")
DAYS = [date.fromisoformat(WEEK_KEY) + timedelta(days=n) for n in range(7)]


def seed(texts: int, pages: list) -> None:
    """Notes and scans spread evenly over the week's days (08:00 onwards)."""
    from report_pipeline.pipeline.documents import store_document
    from report_pipeline.resources.connections import open_services
    from report_pipeline.settings import load_settings
    from report_pipeline.tooling.samples import clinical_note_text

    services = open_services(load_settings())
    items = [(p.read_bytes(), p.name, "image/png") for p in pages]
    items += [
        (clinical_note_text(seed=n).encode(), f"note-{n}.txt", "text/plain") for n in range(texts)
    ]
    for number, (data, name, content_type) in enumerate(items):
        day = DAYS[number % 7]
        at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(seconds=number)
        store_document(services, data, name, content_type, f"customer-{number % 7}", at)


def read_ahead_passes() -> None:
    """One read-ahead run per day (multiprocess executor), as the schedule launches them."""
    from dagster import DagsterInstance, execute_job, reconstructable

    from report_pipeline.defs.runs import read_ahead_job_def

    with DagsterInstance.get() as instance:
        for day in DAYS:
            result = execute_job(
                reconstructable(read_ahead_job_def),
                instance=instance,
                tags={"dagster/partition": day.isoformat()},
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            )
            if not result.success:
                raise SystemExit(f"the read-ahead pass of {day} failed")


def cpu_seconds(action) -> float:
    """CPU of this process and the children it waited for (tesseract CLI calls)."""

    def now() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    before = now()
    action()
    return now() - before


def in_process(assets: list, partition: str) -> None:
    from dagster import DagsterInstance, materialize

    from report_pipeline.resources.build import build_resources
    from report_pipeline.settings import load_settings

    with DagsterInstance.get() as instance:
        result = materialize(
            assets,
            partition_key=partition,
            instance=instance,
            resources=build_resources(load_settings()),
        )
    if not result.success:
        raise SystemExit("the in-process run failed")


def measure_latency(home) -> float:
    before = timed(run_chain)
    print(f"weekly run, nothing read ahead: {before:.2f} s")
    drop_feature_cache(home)
    passes = timed(read_ahead_passes)
    print(f"seven read-ahead passes during the week: {passes:.2f} s (not on Monday's clock)")
    after = timed(run_chain)
    print(f"weekly run after reading ahead: {after:.2f} s")
    return after / before


def measure_cpu(home) -> float:
    from report_pipeline.defs.features import document_features
    from report_pipeline.defs.manifest import document_manifest
    from report_pipeline.defs.read_ahead import documents_read_ahead

    weekly = cpu_seconds(lambda: in_process([document_manifest, document_features], WEEK_KEY))
    print(f"CPU, one weekly features run: {weekly:.2f} s")
    drop_feature_cache(home)
    daily = cpu_seconds(
        lambda: [in_process([documents_read_ahead], day.isoformat()) for day in DAYS]
    )
    print(f"CPU, seven daily passes over the same documents: {daily:.2f} s")
    return daily / weekly


def measure_big() -> float:
    read = timed(read_ahead_passes)
    print(f"read-ahead passes: {read:.1f} s")
    # The run in a fresh process, as production's run launcher starts it: this process
    # seeded the week and read it ahead, which no Monday run worker has done.
    with TreeRss(include_self=False) as memory:
        monday = timed(lambda: run_chain_in_child(MONDAY_ASSETS))
    print(f"Monday run of the week read ahead: {monday:.1f} s (target <= 60)")
    print(f"CPU of the run's processes (sampled): {memory.cpu_s:.1f} s")
    print(f"peak PSS of the run's processes: {memory.peak_pss_mb:.0f} MB (target <= 400)")
    for process, pss in sorted(memory.at_peak, key=lambda item: -item[1]):
        print(f"  at the peak: {pss:6.1f} MB PSS  {process}")
    # Step processes are named by pid in the run's log (STEP_WORKER_STARTED ... pid).
    for pid, own in sorted(memory.own_peaks.items(), key=lambda item: -item[1])[:12]:
        print(f"  largest own memory of process {pid}: {own:.1f} MB")
    return max(monday / 60, memory.peak_pss_mb / 400)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--scanned", type=int, default=14)
    parser.add_argument("--measure", choices=["latency", "cpu", "big"], default="latency")
    parser.add_argument(
        "--instance",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="Dagster's storage: the demo's SQLite, or PostgreSQL on 127.0.0.1 as deployed",
    )
    args = parser.parse_args()
    home = isolated_home("bench-read-ahead-")
    if args.instance == "postgres":
        use_postgres_instance(home)
    pages = make_page_images(home / "pages", 0 if args.measure == "big" else args.scanned)
    seed(args.texts, pages)
    print(machine_info())
    print(f"week: {len(pages)} scanned pages + {args.texts} notes over 7 days")
    print(f"Dagster instance storage: {args.instance}")
    if args.measure == "latency":
        ratio = measure_latency(home)
    elif args.measure == "cpu":
        ratio = measure_cpu(home)
    else:
        ratio = measure_big()
    print(f"ratio: {ratio:.2f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
