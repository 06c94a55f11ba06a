"""What each process loads: the code location is light; the forkserver loads extraction once.

Every process that loads the code location (the run coordinator of `report-pipeline
run`, the code server, the CLI) used to import the extraction and rendering
libraries too: about 220 MB of its own. Only step processes need them. Extraction
steps run many at a time, so the forkserver they are forked from loads the
extraction libraries once for all of them. Rendering runs in one step, after
extraction: the forkserver holding its libraries (~90 MB) only added them to the
peak of every OCR step's week, so that step imports them itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Libraries only extraction and rendering use (their import costs ~110 MB a process).
EXTRACTION = ["numpy", "pypdfium2", "PIL", "docx", "tesserocr"]
RENDERING = ["polars", "fpdf", "matplotlib"]
HEAVY = EXTRACTION + RENDERING


def _loaded_after(statement: str, modules: list[str] = HEAVY, env: dict | None = None) -> dict:
    probe = (
        f"{statement}\n"
        "import gc, json, sys\n"
        f"heavy = {modules!r}\n"
        "print(json.dumps({'loaded': [m for m in heavy if m in sys.modules],"
        " 'frozen': gc.get_freeze_count()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_loading_the_code_location_imports_no_extraction_or_rendering_library() -> None:
    probe = _loaded_after(
        "from report_pipeline.defs.runs import email_job_def, weekly_report_job_def\n"
        "weekly_report_job_def(); email_job_def()"
    )
    assert probe["loaded"] == []


def test_the_forkserver_loads_extraction_once_for_every_step_and_freezes_it() -> None:
    probe = _loaded_after("import report_pipeline.defs.forkserver_preload")
    assert set(probe["loaded"]) >= set(EXTRACTION) - {"tesserocr"}  # tesserocr is optional
    assert probe["frozen"] > 100_000  # the shared objects are out of the collector's reach


def test_the_forkserver_leaves_the_rendering_libraries_to_the_step_that_renders() -> None:
    probe = _loaded_after("import report_pipeline.defs.forkserver_preload")
    assert not set(probe["loaded"]) & set(RENDERING)


def test_the_forkserver_loads_the_modules_the_instance_names(tmp_path: Path) -> None:
    # As deploy/dagster.yaml: runs on PostgreSQL, compute logs in S3.
    (tmp_path / "dagster.yaml").write_text(
        "storage:\n  postgres:\n    postgres_db: {hostname: db}\n"
        "compute_logs:\n  module: dagster_aws.s3.compute_log_manager\n"
        "  class: S3ComputeLogManager\n"
    )
    named = ["dagster_aws.s3.compute_log_manager", "dagster_postgres"]
    probe = _loaded_after(
        "import report_pipeline.defs.forkserver_preload",
        modules=named,
        env={"DAGSTER_HOME": str(tmp_path)},
    )
    assert probe["loaded"] == named


@pytest.mark.parametrize("text", ["- just a list\n", "storage: [unclosed\n", None])
def test_a_missing_or_broken_instance_file_does_not_stop_the_warm_up(
    tmp_path: Path, text: str | None
) -> None:
    if text is not None:
        (tmp_path / "dagster.yaml").write_text(text)
    runtime = ["dagster._core.executor.child_process_executor"]
    probe = _loaded_after(
        "import report_pipeline.defs.forkserver_preload",
        modules=runtime,
        env={"DAGSTER_HOME": str(tmp_path)},
    )
    assert probe["loaded"] == runtime
