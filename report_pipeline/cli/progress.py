"""A quiet terminal for `run` and `demo`: progress by stage and batch, not Dagster's event lines.

Dagster's processes (this one and every step subprocess) write their event
lines to file descriptors 1 and 2. Without ``--verbose`` both are pointed at a
log file under the state directory while the week runs; the progress display
and the warnings go to the terminal's stderr, which is kept aside. Progress is
read from the run's event log, the same records the Dagster UI shows.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

POLL_SECONDS = 0.5
STAGES = ("manifest", "features", "report", "emails")
_PLANNED = re.compile(r"(\d+) documents in (\d+) batches")
_BATCH_DOCS = re.compile(r"'documents': (\d+)")


def stage_of(step_key: str | None) -> str | None:
    """Which of the four stages a Dagster step belongs to."""
    if not step_key:
        return None
    if step_key.startswith("document_manifest"):
        return "manifest"
    if step_key.startswith("document_features"):
        return "features"
    if step_key.startswith("weekly_report"):
        return "report"
    if step_key.startswith("email_deliveries"):
        return "emails"
    return None


@dataclass
class WeekProgress:
    """What the run's events say so far; updated by one thread, read by the display."""

    started: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    documents: int | None = None
    batches: int | None = None
    batches_done: int = 0
    documents_done: int = 0
    warnings: list[str] = field(default_factory=list)

    def observe(
        self,
        stage: str | None,
        event_type: str | None,
        step_key: str | None,
        message: str,
        level: int,
    ) -> None:
        # Warnings only: a step failure is summed up by the command's one `error:` line.
        if logging.WARNING <= level < logging.ERROR and message:
            self.warnings.append(message)
        if stage is None:
            return
        if event_type == "STEP_START":
            self.started.add(stage)
        if (planned := _PLANNED.search(message)) and stage == "features":
            self.documents, self.batches = int(planned[1]), int(planned[2])
        if event_type == "STEP_SUCCESS" and step_key:
            if "extract_feature_batch" in step_key:
                self.batches_done += 1
            if step_key in (
                "document_manifest",
                "document_features.collect_features",
                "weekly_report",
                "email_deliveries",
            ):
                self.finished.add(stage)
        if (
            step_key
            and "extract_feature_batch" in step_key
            and (docs := _BATCH_DOCS.search(message))
            and event_type is None
        ):
            self.documents_done += int(docs[1])


class _EventReader:
    """Reads the events of runs started after ``since`` from the Dagster instance."""

    def __init__(self, since: float) -> None:
        from report_pipeline.defs.runs import get_instance
        from report_pipeline.settings import load_settings

        self.instance = get_instance(load_settings().dagster_home)
        self.since = since
        self.cursors: dict[str, str | None] = {}

    def poll(self, progress: WeekProgress) -> None:
        from dagster import RunsFilter

        runs = self.instance.get_runs(RunsFilter(created_after=_utc(self.since)), limit=10)
        for run in sorted(runs, key=lambda r: r.run_id):
            self.cursors.setdefault(run.run_id, None)
        for run_id, cursor in self.cursors.items():
            page = self.instance.get_records_for_run(run_id, cursor=cursor)
            self.cursors[run_id] = page.cursor
            for record in page.records:
                entry = record.event_log_entry
                event = entry.dagster_event
                progress.observe(
                    stage_of(entry.step_key),
                    event.event_type_value if event else None,
                    entry.step_key,
                    entry.user_message or "",
                    entry.level,
                )

    def close(self) -> None:
        self.instance.dispose()


def _utc(moment: float):
    from datetime import datetime

    return datetime.fromtimestamp(moment, tz=UTC)


@contextmanager
def _terminal_aside(log_path: Path) -> Iterator[IO[str]]:
    """Point fds 1 and 2 (inherited by step processes) at the log; yield the real stderr."""
    sys.stdout.flush()
    sys.stderr.flush()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(saved_err), "w", buffering=1)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


@contextmanager
def week_progress(
    log_path: Path, label: str, verbose: bool = False
) -> Iterator[Callable[[], None]]:
    """Quiet the block unless ``verbose``; the yielded ``watch()`` starts the progress display.

    Call ``watch()`` once the Dagster instance is open: a second process
    opening a fresh instance at the same moment would race its storage setup.
    """
    if verbose:  # Dagster's own lines are the progress
        yield lambda: None
        return
    with _terminal_aside(log_path) as terminal:
        console = Console(file=terminal, stderr=True, soft_wrap=True)
        display = _Display(console, label, log_path)
        try:
            yield display.start
        finally:
            if display.is_alive():
                display.stop()


class _Display(threading.Thread):
    def __init__(self, console: Console, label: str, log_path: Path) -> None:
        super().__init__(daemon=True)
        self.console, self.label, self.log_path = console, label, log_path
        self.progress = WeekProgress()
        self.stopping = threading.Event()
        self.shown_warnings = 0
        self.began = time.time()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)

    def run(self) -> None:
        try:
            reader = _EventReader(self.began - 1)
        except Exception as error:
            self.console.print(f"(no progress display: {error})")
            return
        try:
            self._show(reader)
        finally:
            reader.close()

    def _show(self, reader: _EventReader) -> None:
        live = self.console.is_terminal
        bars = Progress(
            TextColumn("{task.description:<34}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            disable=not live,
        )
        tasks = {
            stage: bars.add_task(f"{self.label} {stage}", total=None, visible=False)
            for stage in STAGES
        }
        announced: set[str] = set()
        with bars:
            while True:
                stopping = self.stopping.is_set()
                try:
                    reader.poll(self.progress)
                except Exception:
                    pass
                self._warnings()
                self._update(bars, tasks)
                if not live:
                    announced = self._lines(announced)
                if stopping:
                    break
                self.stopping.wait(POLL_SECONDS)

    def _update(self, bars: Progress, tasks: dict) -> None:
        p = self.progress
        for stage in STAGES:
            task = tasks[stage]
            if stage not in p.started:
                continue
            done = stage in p.finished
            if stage == "features" and p.documents is not None:
                description = f"{self.label} features: batch {p.batches_done}/{p.batches}"
                bars.update(
                    task,
                    visible=True,
                    description=description,
                    total=p.documents,
                    completed=p.documents if done else min(p.documents_done, p.documents),
                )
            else:
                bars.update(task, visible=True, total=1, completed=1 if done else 0)

    def _lines(self, announced: set[str]) -> set[str]:
        # Not a terminal (a pipe, a CI log): one plain line per finished stage.
        p = self.progress
        for stage in STAGES:
            if stage in p.finished and stage not in announced:
                extra = ""
                if stage == "features" and p.documents is not None:
                    extra = f" ({p.documents} documents, {p.batches} batches)"
                self.console.print(f"{self.label} {stage}: done{extra}", highlight=False)
                announced.add(stage)
        return announced

    def _warnings(self) -> None:
        for message in self.progress.warnings[self.shown_warnings :]:
            self.console.print(
                f"warning: {' '.join(message.split())[:300]}", highlight=False, markup=False
            )
        self.shown_warnings = len(self.progress.warnings)
