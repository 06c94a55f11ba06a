"""`retention apply` on back-dated files, and CLI reads of patient data in the audit log."""

from __future__ import annotations

import getpass
import os
import time

from report_pipeline.appdb.audit import audit_page
from report_pipeline.appdb.store import AppStore


def _back_date(path, days: int) -> None:
    moment = time.time() - days * 86400
    os.utime(path, (moment, moment))


def _audit_rows(cli) -> list:
    store = AppStore(f"sqlite:///{cli.home / 'app.sqlite3'}")
    return audit_page(store, after=None, limit=100).items


def test_retention_apply_deletes_old_items_only_and_is_idempotent(cli, tmp_path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("chest pain")
    assert cli("documents", "add", str(note), "--customer", "acme").returncode == 0
    objects, outbox = cli.home / "objects", cli.home / "outbox"
    old = [
        objects / "features/cache/text-1/ab/ab.json",
        objects / "manifests/2023-01-02/manifest.json",
        objects / "reports/2023-01-02/weekly-report.pdf",
        outbox / "old.eml",
    ]
    recent = [objects / "reports/2024-03-04/weekly-report.pdf", outbox / "new.eml"]
    for path in old + recent:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    for path in old:
        _back_date(path, 30)
    documents = [p for p in (objects / "customers").rglob("*") if p.is_file()]
    for path in documents:
        _back_date(path, 30)  # source documents are not under the policy
    cli.env["REPORT_PIPELINE_RETENTION_DAYS"] = "7"

    dry = cli("retention", "apply", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete object reports/2023-01-02/weekly-report.pdf" in dry.stdout
    assert "4 item(s) would delete" in dry.stdout and all(p.exists() for p in old)

    done = cli("retention", "apply")
    assert done.returncode == 0 and "4 item(s) deleted" in done.stdout
    assert "deleted outbox old.eml" in done.stdout
    assert not any(p.exists() for p in old)
    assert all(p.exists() for p in recent + documents)
    again = cli("retention", "apply")
    assert "nothing older than the policy" in again.stdout

    cli.env["REPORT_PIPELINE_RETENTION_DAYS"] = "0"
    bad = cli("retention", "apply")
    assert (
        bad.returncode == 1 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
    )


def test_documents_show_and_dead_letters_list_are_audited(cli, tmp_path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("chest pain")
    doc_id = cli("documents", "add", str(note), "--customer", "acme").stdout.strip()
    assert cli("documents", "show", doc_id, "--as", "dr-audit").returncode == 0
    assert cli("documents", "show", "no-such-id").returncode == 1
    assert cli("dead-letters", "list", "--week", "2024-03-04", "--as", "ops").returncode == 1
    rows = [(r.actor, r.role, r.action, r.target, r.outcome) for r in _audit_rows(cli)]
    me = getpass.getuser()  # no --as: the OS user
    assert rows == [
        ("ops", "cli", "dead-letters list", "week:2024-03-04", "not_found"),
        (me, "cli", "documents show", "document:no-such-id", "not_found"),
        ("dr-audit", "cli", "documents show", f"document:{doc_id}", "success"),
    ]
