"""What each process loads: the code location is light; the forkserver loads the rest once.

Every process that loads the code location (the run coordinator of `report-pipeline
run`, the code server, the CLI) used to import the extraction and rendering
libraries too: about 220 MB of its own. Only step processes need them, and they
are forked from the forkserver, which loads them once for all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys

# Libraries only extraction and rendering use (their import costs ~110 MB a process).
HEAVY = ["polars", "fpdf", "matplotlib", "numpy", "pypdfium2", "PIL", "docx", "tesserocr"]


def _loaded_after(statement: str) -> dict:
    probe = (
        f"{statement}\n"
        "import gc, json, sys\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps({'loaded': [m for m in heavy if m in sys.modules],"
        " 'frozen': gc.get_freeze_count()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_loading_the_code_location_imports_no_extraction_or_rendering_library() -> None:
    probe = _loaded_after(
        "from report_pipeline.defs.runs import email_job_def, weekly_report_job_def\n"
        "weekly_report_job_def(); email_job_def()"
    )
    assert probe["loaded"] == []


def test_the_forkserver_loads_them_once_for_every_step_and_freezes_them() -> None:
    probe = _loaded_after("import report_pipeline.defs.forkserver_preload")
    assert set(probe["loaded"]) >= set(HEAVY) - {"tesserocr"}  # tesserocr is optional
    assert probe["frozen"] > 100_000  # the shared objects are out of the collector's reach
