"""What the step executor's forkserver loads before it forks any step process.

Only the forkserver imports this module (see jobs.py). Every step process is
forked from it, so whatever is loaded here is shared by all of them instead of
being loaded again, privately, by each:

- the code location and the jobs resolved from it (about 9 MB a step);
- the libraries the steps extract with (numpy, Pillow, pypdfium2, tesseract,
  python-docx), which the other processes that load the code location (the run
  coordinator, the code server, the CLI) never import;
- the OCR model and the de-identification vocabulary (about 23 MB a step);
- the storage and compute-log modules the instance's dagster.yaml names.

Not the rendering libraries (polars, fpdf2): one step renders,
after every extraction step has ended, so sharing them saves nothing, while the
forkserver holding them added them to the peak of a week of OCR (measured: a
60-page scanned week peaked at 685 MB with them here, 603 MB without). The step
that renders imports them itself (~0.8 s).

Then the garbage collector's objects are frozen, so a step process never has
the collector walk, and so write to and copy, the objects it shares with the
forkserver (measured: a forked process's own memory after a collection went
from 80 MB to 2 MB).
"""

import contextlib
import gc
import importlib

import yaml

import report_pipeline.definitions  # noqa: F401
import report_pipeline.extraction.ocr  # noqa: F401
import report_pipeline.extraction.pdf  # noqa: F401
import report_pipeline.extraction.word  # noqa: F401
from report_pipeline.settings import load_settings

# What a step process imports to run at all (seen in sys.modules of a step): the
# instance, its storage, the compute-log and IO managers. Internal module names, so
# each is optional: a name a Dagster upgrade moved is then imported by each step.
STEP_RUNTIME_MODULES = (
    "dagster._core.executor.child_process_executor",
    "dagster._core.executor.multiprocess",
    "dagster._core.instance.factory",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
    "dagster._core.storage.fs_io_manager",
    "dagster._core.storage.migration.utils",
    "dagster._core.storage.root",
    "dagster._core.secrets.loader",
    "dagster._core.utility_ops",
    "dagster._core.workspace.context",
    "dagster._daemon.controller",
    "fsspec.implementations.local",
    "dotenv.main",
    "upath.core",
    "rich",
    "structlog",
    "tqdm",
    "upath",
    "watchdog.observers",
)


def instance_modules() -> list[str]:
    """The modules the Dagster instance's dagster.yaml names: every step loads them.

    In production that is the S3 compute-log manager (boto3: ~10 MB a step) and
    dagster-postgres; each step would otherwise import its own copy.
    """
    try:
        config = yaml.safe_load((load_settings().dagster_home / "dagster.yaml").read_text())
    except (OSError, ValueError, yaml.YAMLError):
        return []  # the instance itself reports a missing or broken file
    if not isinstance(config, dict):
        return []
    modules = [
        section["module"]
        for section in config.values()
        if isinstance(section, dict) and isinstance(section.get("module"), str)
    ]
    if isinstance(config.get("storage"), dict) and "postgres" in config["storage"]:
        modules.append("dagster_postgres")
    return modules


def _warm_up() -> None:
    from PIL import Image

    from report_pipeline.defs.runs import email_job_def, weekly_report_job_def
    from report_pipeline.deid import vocabulary
    from report_pipeline.extraction.engines import (
        default_engine,
        engine_choice,
        forget_engine,
        use_engine,
    )

    for name in (*STEP_RUNTIME_MODULES, *instance_modules()):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    Image.init()  # every image format plugin, imported by each step on its first image
    weekly_report_job_def()
    email_job_def()
    vocabulary()
    choice = engine_choice(load_settings())
    use_engine(choice)
    # Only a fork-safe engine stays loaded: a managed engine's client must not cross a fork.
    if not default_engine().fork_safe:
        forget_engine()  # opened again, after the fork, by the step that needs it


# An optimisation only: if anything here fails, each step loads what it needs itself
# (an exception other than ImportError would stop the forkserver, and every step with it).
with contextlib.suppress(Exception):
    _warm_up()
gc.collect()
gc.freeze()
