"""Three customers, subscribers of each scope: nobody reads another customer's report.

Every attached PDF and every email body is read as text; a customer's
message names only that customer, the `all` subscriber's names all three.
"""

from __future__ import annotations

import email
import io
import json
import re
from email import policy

import pytest
from pypdf import PdfReader

CUSTOMERS = ("acme-pharma", "globex-bio", "initech-trials")
SUBSCRIBERS = {
    "staff@example.com": ["all"],
    "ann@acme.example": ["acme-pharma"],
    "gus@globex.example": ["globex-bio"],
    "ivy@initech.example": ["initech-trials"],
    "both@example.com": ["acme-pharma", "globex-bio"],  # one address, two scopes
}


def _add_week(cli, tmp_path) -> None:
    for number, customer in enumerate(CUSTOMERS):
        texts = [
            f"Visit {doc} for {customer}: dosage unchanged, no adverse events."
            for doc in range(number + 1)
        ]
        cli.add_notes(tmp_path / customer, texts, customer)
    for address, scopes in SUBSCRIBERS.items():
        for scope in scopes:
            extra = () if scope == "all" else ("--customer", scope)
            assert cli("subscribers", "add", address, *extra).returncode == 0


def _messages(cli) -> list[tuple[str, str, str]]:
    """(recipient, body text, PDF text) of every message in the outbox."""
    found = []
    for path in sorted((cli.home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body, pdf = "", ""
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                body += part.get_content()
            elif part.get_content_type() == "application/pdf":
                reader = PdfReader(io.BytesIO(part.get_payload(decode=True)))
                pdf += "".join(page.extract_text() for page in reader.pages)
        found.append((str(message["To"]), body + str(message["Subject"]), pdf))
    return found


def _named(text: str) -> set[str]:
    return {customer for customer in CUSTOMERS if customer in text}


@pytest.mark.slow
def test_each_scope_sees_only_its_customer(cli, tmp_path) -> None:
    _add_week(cli, tmp_path)
    run = cli("run", "--week", "2024-03-04", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["documents_total"] == 6 and summary["emails_sent"] == 6
    scopes = {s["customer"]: s for s in summary["scopes"]}
    assert list(scopes) == ["all", *CUSTOMERS]
    assert [scopes[c]["documents_total"] for c in CUSTOMERS] == [1, 2, 3]
    assert scopes["acme-pharma"]["emails_sent"] == 2 and scopes["all"]["emails_sent"] == 1
    # Each scope's PDF is an immutable version: reports/<week>/customers/<id>/<sha256>/.
    assert re.search(
        r"reports/2024-03-04/customers/globex-bio/[0-9a-f]{64}/weekly-report\.pdf$",
        scopes["globex-bio"]["pdf_path"],
    )

    messages = _messages(cli)
    assert len(messages) == 6
    seen: dict[str, list[set[str]]] = {}
    for recipient, body, pdf in messages:
        address = recipient.split("<")[-1].rstrip(">").strip()
        assert pdf, f"no PDF attached for {address}"
        seen.setdefault(address, []).append(_named(pdf) | _named(body))
        assert _named(pdf) == _named(body) or not _named(body) or _named(body) <= _named(pdf)
    assert seen["staff@example.com"] == [set(CUSTOMERS)]
    for address in ("ann@acme.example", "gus@globex.example", "ivy@initech.example"):
        assert seen[address] == [set(SUBSCRIBERS[address])], address
    assert sorted(map(sorted, seen["both@example.com"])) == [["acme-pharma"], ["globex-bio"]]

    # The week again: nothing new goes out; with force, everyone again.
    again = json.loads(cli("run", "--week", "2024-03-04", "--json").stdout)
    assert again["emails_sent"] == 0 and len(_messages(cli)) == 6
    forced = cli("run", "--week", "2024-03-04", "--json", "--force-emails")
    assert json.loads(forced.stdout)["emails_sent"] == 6


@pytest.mark.slow
def test_a_customer_over_the_failure_limit_is_held_alone(cli, tmp_path) -> None:
    from report_pipeline.tooling.samples import broken_png

    _add_week(cli, tmp_path)
    broken = tmp_path / "broken.png"
    broken.write_bytes(broken_png())
    assert (
        cli(
            "documents",
            "add",
            str(broken),
            "--customer",
            "acme-pharma",
            "--created-at",
            "2024-03-05T11:00:00Z",
        ).returncode
        == 0
    )
    cli.env["REPORT_PIPELINE_MAX_FAILED_SHARE"] = "0.2"  # acme: 1 of 2; the week: 1 of 7
    run = cli("run", "--week", "2024-03-04", "--json")
    assert run.returncode == 3, run.stderr  # held (one customer), before the failed document
    summary = json.loads(run.stdout)
    assert summary["error"].startswith("week 2024-03-04 emails held for customer acme-pharma:")
    scopes = {s["customer"]: s for s in summary["scopes"]}
    assert "report held" in scopes["acme-pharma"]["emails_held"]
    assert "--customer acme-pharma" in scopes["acme-pharma"]["emails_held"]
    assert scopes["acme-pharma"]["emails_sent"] == 0 and not scopes["all"]["emails_held"]
    assert summary["emails_sent"] == 4  # staff, gus, ivy, both (globex)
    released = cli("reports", "release", "--week", "2024-03-04", "--customer", "acme-pharma")
    assert released.returncode == 0, released.stderr
    assert json.loads(released.stdout.splitlines()[-1])["sent"] == 2
