"""`documents label|train|show` from the command line: audit rows, one-line errors."""

from __future__ import annotations

from report_pipeline.appdb.audit import audit_page
from report_pipeline.appdb.store import AppStore


def _audit(cli, action: str) -> list:
    store = AppStore(f"sqlite:///{cli.home / 'app.sqlite3'}")
    try:
        return audit_page(store, after=None, limit=50, action=action).items
    finally:
        store.engine.dispose()


def _one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_label_show_and_train_from_the_command_line(cli, tmp_path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Study newsletter: how to file hemoglobin reference range tables")
    added = cli("documents", "add", str(note), "--customer", "acme")
    assert added.returncode == 0, added.stderr
    doc = added.stdout.strip()

    assert "unknown document type 'horoscope'" in _one_line_error(
        cli("documents", "label", doc, "horoscope")
    )
    assert "unknown document id 'nope'" in _one_line_error(
        cli("documents", "label", "nope", "lab_result")
    )
    done = cli("documents", "label", doc, "fax_correspondence", "--as", "dr.who")
    assert done.returncode == 0 and "fax cover or correspondence" in done.stdout
    changed = cli("documents", "label", doc, "visit_note", "--as", "dr.who")
    assert "(was fax cover or correspondence)" in changed.stdout

    rows = _audit(cli, "documents label")
    assert [(r.actor, r.target, r.outcome) for r in rows][:2] == [
        ("dr.who", f"document:{doc} label:fax_correspondence->visit_note", "success"),
        ("dr.who", f"document:{doc} label:(none)->fax_correspondence", "success"),
    ]
    assert {r.outcome for r in rows[2:]} == {"not_found", "rejected"}

    shown = cli("documents", "show", doc)
    assert shown.returncode == 0 and "label: visit_note (by dr.who" in shown.stdout
    # Never extracted (no run yet): nothing to learn from, said in one line.
    assert "no labeled document has cached text" in _one_line_error(cli("documents", "train"))
