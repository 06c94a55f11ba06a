"""SIGKILL a `report-pipeline run` at an exact point of its week, from inside.

The product has no crash hook, and the report steps run in processes forked
from Dagster's forkserver, so a patch made by the test process cannot reach
them. Instead `kill_hooks/sitecustomize.py` runs in each of the run's
interpreters and wraps one product function before anything imports it; when
the point is reached it leaves a mark file (so the test knows the kill landed
where meant) and SIGKILLs the whole process group: the CLI, the forkserver and
every step process, as an OOM kill of the service or `kill -9 -PGID` would.
"""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path

MARK = "FAULTS_KILL_MARK"
SENT_BEFORE_KILL = 7  # mid-email: the 7th `sent` row is committed, the 8th not yet


def die(point: str) -> None:
    Path(os.environ[MARK]).write_text(point)
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _before(owner, name: str, point: str) -> None:
    real = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        die(point)
        return real(*args, **kwargs)

    setattr(owner, name, wrapper)


def _after(owner, name: str, point: str, nth: int = 1) -> None:
    real = getattr(owner, name)
    calls = [0]

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        calls[0] += 1
        if calls[0] == nth:
            die(point)
        return result

    setattr(owner, name, wrapper)


def install(point: str) -> None:
    if point == "manifest":  # documents listed, the run recorded `running`, no manifest written
        from report_pipeline.pipeline import manifest

        _before(manifest, "write_manifest", point)
    elif point == "features":  # the first batch extracted (features cached), not collected
        from report_pipeline.pipeline import features

        _after(features, "extract_batch", point)
    elif point == "pdf":  # PDF and manifest in the store, the report row not yet finished
        from report_pipeline.appdb import reports

        _before(reports, "finish_run", point)
    elif point == "emails":  # mid batch: some rows `sent`, the rest claimed (`sending`)
        from report_pipeline.appdb.deliveries import OutboxStore

        _after(OutboxStore, "mark_sent", point, SENT_BEFORE_KILL)
    elif point == "done":  # every email sent and recorded, the email run not yet ended
        from report_pipeline.delivery import dispatch

        _after(dispatch, "dispatch_report", point)
    else:
        raise ValueError(f"unknown kill point {point!r}")
