"""Files added through the CLI, one week run through the instance, totals checked."""

from __future__ import annotations

import json

from pypdf import PdfReader

from report_pipeline.tooling.samples import broken_png, scanned_page_png


def test_documents_added_by_cli_are_reported_and_mailed(cli, tmp_path) -> None:
    cli.env["REPORT_PIPELINE_MAX_FAILED_SHARE"] = "0.5"  # 1 of 5 fails on purpose
    files = []
    for number in range(3):
        path = tmp_path / f"visit note {number}.txt"
        path.write_text(f"Visit {number}: blood pressure normal, dosage unchanged.")
        files.append(str(path))
    scan = tmp_path / "scan.png"
    scan.write_bytes(scanned_page_png("Adverse event reported by the site coordinator"))
    broken = tmp_path / "broken.png"
    broken.write_bytes(broken_png())

    added = cli(
        "documents",
        "add",
        *files,
        str(scan),
        "--customer",
        "acme",
        "--created-at",
        "2024-03-05T10:00:00Z",
    )
    assert added.returncode == 0, added.stderr
    ids = added.stdout.split()
    assert len(ids) == 4
    other = cli(
        "documents",
        "add",
        str(broken),
        "--customer",
        "globex",
        "--created-at",
        "2024-03-06T10:00:00+02:00",
    )
    assert other.returncode == 0, other.stderr
    assert cli("subscribers", "add", "Ann@Example.com", "bob@example.com").returncode == 0

    run = cli("run", "--week", "2024-03-07", "--json")
    # The week is mailed (1 of 5 failed); globex's own report (1 of 1) is held by the gate.
    assert run.returncode == 3, run.stderr
    summary = json.loads(run.stdout)
    assert summary["error"].startswith("week 2024-03-04 emails held for customer globex:")
    assert summary["week"] == "2024-03-04"
    assert (summary["documents_total"], summary["documents_failed"]) == (5, 1)
    assert (summary["emails_sent"], summary["emails_skipped"]) == (2, 0)
    text = "".join(page.extract_text() for page in PdfReader(summary["pdf_path"]).pages)
    assert "2024-03-04" in text
    assert sorted(p.name for p in (cli.home / "outbox").glob("*.eml")).__len__() == 2

    again = json.loads(cli("run", "--week", "2024-03-04", "--json").stdout)
    assert (again["emails_sent"], again["emails_skipped"]) == (0, 2)

    shown = json.loads(cli("documents", "show", ids[3], "--json").stdout)
    assert shown["status"] == "ok" and shown["kind"] == "image"
    assert "coordinator" in shown["features"]["ocr_text"].lower()
    failed = json.loads(cli("documents", "show", other.stdout.strip(), "--json").stdout)
    assert failed["status"] == "failed" and failed["stage"] == "decode"
    human = cli("documents", "show", ids[0])
    assert "status: ok" in human.stdout and "blood pressure" in human.stdout
