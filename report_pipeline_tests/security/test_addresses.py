"""Item 11: one address rule for API, CLI and mailer.

Nothing is accepted that cannot be sent or removed.
"""

from __future__ import annotations

import subprocess
import sys
from email import message_from_bytes, policy

from report_pipeline.delivery.message import _headers
from report_pipeline_tests.api.conftest import WEEK, auth

USERS = "/api/reports/registered-users"


def test_unsendable_or_unremovable_addresses_are_422(api) -> None:
    with api.client() as client:
        for address in (
            "jörg@example.com",
            "a/b@example.com",
            "x%2Fy@example.com",
            "q?x@example.com",
        ):
            answer = client.post(USERS, json={"email": address}, headers=auth("admin"))
            assert answer.status_code == 422, (address, answer.text)
            assert answer.json()["error"] == "invalid_email"
    with api.client() as client:
        listed = client.get(USERS, headers=auth("admin")).json()["items"]
    assert listed == []  # nothing was written


def test_internationalized_domain_is_sent_idna_encoded_and_removable(api) -> None:
    with api.client() as client:
        created = client.post(USERS, json={"email": "user@例え.jp"}, headers=auth("admin"))
        assert created.status_code == 201, created.text
        stored = created.json()["email"]
        removed = client.delete(f"{USERS}/{stored}", headers=auth("admin"))
        assert removed.status_code == 200 and removed.json()["active"] is False
    message = _headers("reports@example.com", stored, None, WEEK, "<m@example.com>", None)
    wire = message.as_bytes()
    to = message_from_bytes(wire, policy=policy.SMTP)["To"]
    assert to.isascii() and to.endswith("@xn--r8jz45g.jp"), to
    assert b"\xe4" not in wire.split(b"\r\n\r\n")[0]


def test_cli_applies_the_same_rule(tmp_path) -> None:
    env = {
        "REPORT_PIPELINE_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path / "home" / "dagster"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "report_pipeline.cli", "subscribers", "add", "jörg@example.com"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Internationalized characters" in result.stderr and "Traceback" not in result.stderr
