"""The weekly job on dagster-celery: two worker processes, Redis, the production instance.

The run is started by `report-pipeline run` in its own process with
REPORT_PIPELINE_EXECUTOR=celery, exactly as a deployment would; each step is a
Celery task that a worker executes against the PostgreSQL instance, handing
outputs over through S3. The same week materialized in-process must give the
same report content.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict

from dagster import DagsterEventType, DagsterInstance, materialize

from report_pipeline.appdb.store import AppStore
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.production.celery_workers import celery_workers
from report_pipeline_tests.production.weeks import (
    REPORT_ASSETS,
    WEEK_KEY,
    report_content,
    seed_week,
)

BATCH_STEP = "extract_feature_batch"


def _steps_by_worker(instance: DagsterInstance, run_id: str) -> tuple[dict, dict]:
    """Celery node name and process id of every batch step, from the run's event log."""
    nodes, pids = {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or BATCH_STEP not in (event.step_key or ""):
            continue
        if event.event_type == DagsterEventType.ENGINE_EVENT:
            metadata = event.engine_event_data.metadata
            if "Celery worker" in metadata:
                nodes[event.step_key] = metadata["Celery worker"].value
        if event.event_type == DagsterEventType.STEP_START:
            pids[event.step_key] = event.pid
    return nodes, pids


def test_a_week_on_two_celery_workers_matches_an_in_process_run(
    production, redis_url, tmp_path, monkeypatch
) -> None:
    # Batches of one page's worth: the week's two images and four notes make three steps.
    monkeypatch.setenv("REPORT_PIPELINE_BATCH_SIZE", "1")
    seed_week(open_services(production.settings()))
    env = {
        **os.environ,
        "REPORT_PIPELINE_EXECUTOR": "celery",
        "REPORT_PIPELINE_CELERY_BROKER": redis_url,
    }

    with celery_workers(2, env, redis_url, tmp_path) as workers:
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "report_pipeline.cli", "run", "--week", WEEK_KEY, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        celery_seconds = time.perf_counter() - started
        assert run.returncode == 4, run.stderr[-3000:]  # mailed; the broken image failed
        summary = json.loads(run.stdout)
        with production.instance() as instance:
            nodes, pids = _steps_by_worker(instance, summary["report_run_id"])
        owners = {step: next(w.name for w in workers if w.owns(pid)) for step, pid in pids.items()}

    assert (summary["documents_total"], summary["documents_failed"]) == (6, 1)
    assert summary["emails_sent"] == 2
    assert len(nodes) >= 3 and set(nodes) == set(pids)
    assert owners == nodes  # each batch's process belongs to the worker Celery says ran it
    per_worker = defaultdict(set)
    for step, node in nodes.items():
        per_worker[node].add(pids[step])
    assert len(per_worker) == 2, nodes  # both workers took batches...
    assert len({pid for group in per_worker.values() for pid in group}) >= 2  # ...in 2 processes
    celery_store = open_services(production.settings()).store

    # The same documents, extracted again from nothing in this process.
    monkeypatch.setenv("REPORT_PIPELINE_S3_PREFIX", "in-process")
    local_database = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv("REPORT_PIPELINE_DATABASE_URL", local_database)
    AppStore(local_database).upgrade()
    settings = production.settings()
    for page in production.s3.get_paginator("list_objects_v2").paginate(
        Bucket=production.bucket, Prefix="pipeline/customers/"
    ):
        for obj in page["Contents"]:
            key = obj["Key"].removeprefix("pipeline/")
            open_services(settings).store.put(key, celery_store.get(key))
    started = time.perf_counter()
    with DagsterInstance.ephemeral() as instance:
        local = materialize(
            REPORT_ASSETS,
            partition_key=WEEK_KEY,
            instance=instance,
            resources=build_resources(settings),
        )
    in_process_seconds = time.perf_counter() - started
    assert local.success

    in_process = report_content(open_services(settings).store)
    assert in_process == report_content(celery_store)
    assert in_process["summary"]["documents_total"] == 6
    print(
        f"celery week (CLI, report + emails): {celery_seconds:.1f}s;"
        f" in-process report: {in_process_seconds:.1f}s"
    )
