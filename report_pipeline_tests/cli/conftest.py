from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "REPORT_PIPELINE_HOME": str(home),
            "DAGSTER_HOME": str(home / "dagster"),
        }
        for name in (
            "REPORT_PIPELINE_DATABASE_URL",
            "REPORT_PIPELINE_OBJECT_STORE",
            "REPORT_PIPELINE_CATALOG",
            "REPORT_PIPELINE_MAILER",
        ):
            self.env.pop(name, None)

    def add_note(self, folder: Path, text: str, customer: str = "acme") -> None:
        """One clinical note of the week of 2024-03-04, stored through the CLI."""
        note = folder / "note.txt"
        note.write_text(text)
        added = self(
            "documents",
            "add",
            str(note),
            "--customer",
            customer,
            "--created-at",
            "2024-03-05T10:00:00Z",
        )
        assert added.returncode == 0, added.stderr

    def add_notes(self, folder: Path, texts: list[str], customer: str = "acme") -> None:
        """Several notes as `add_note` stores them, in one `documents add` process."""
        paths = []
        for number, text in enumerate(texts):
            note = folder / str(number) / "note.txt"
            note.parent.mkdir(parents=True)
            note.write_text(text)
            paths.append(str(note))
        added = self(
            "documents",
            "add",
            *paths,
            "--customer",
            customer,
            "--created-at",
            "2024-03-05T10:00:00Z",
        )
        assert added.returncode == 0, added.stderr

    def copy_state(self, template: Path) -> Cli:
        """Start from a copy of a seeded state directory (it holds no absolute paths)."""
        shutil.copytree(template, self.home)
        return self

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "report_pipeline.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")
