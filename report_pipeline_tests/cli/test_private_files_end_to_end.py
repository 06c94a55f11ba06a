"""Every file a week writes in the embedded default is 0600, every directory 0700."""

from __future__ import annotations

import json

import pytest

from report_pipeline.private_files import shared_paths


@pytest.mark.slow
def test_everything_a_week_writes_is_private(cli, tmp_path) -> None:
    cli.add_note(tmp_path, "Patient seen for chest pain; blood pressure normal.")
    assert cli("subscribers", "add", "ops@example.com").returncode == 0
    run = cli("run", "--week", "2024-03-04", "--json")
    assert run.returncode == 0, run.stderr
    written = [p for p in cli.home.rglob("*")]
    names = {p.name for p in written}
    assert {"app.sqlite3", "catalog.sqlite3", "weekly-report.pdf", "manifest.json"} <= names
    assert any(p.suffix == ".eml" for p in written)
    assert json.loads(run.stdout)["documents_total"] == 1
    assert shared_paths(cli.home) == []
