"""A mail server that dies mid-batch, answers 421/451 for a while, or answers late.

Real `report-pipeline run` processes against a real SMTP server (aiosmtpd) on
a seeded embedded state with twenty subscribers. After the recovery that
docs/operations.md states, every subscriber holds exactly one message (one per
Message-ID where the server answered after the client had given up: the known
SMTP ambiguity, counted and bounded below) and every delivery row is `sent`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from report_pipeline.appdb.deliveries import SENT
from report_pipeline_tests.faults.smtp_sink import SmtpSink
from report_pipeline_tests.faults.smtp_week import SUBSCRIBERS, WEEK, SmtpWeek, last_line

ACCEPTED_BEFORE_DYING = 8


@pytest.mark.slow
def test_a_server_that_dies_mid_batch_leaves_the_rest_waiting_for_the_next_run(
    sink: SmtpSink, seeded_home, tmp_path: Path
) -> None:
    week = SmtpWeek(tmp_path / "home", sink, REPORT_PIPELINE_DELIVERY_MAX_ATTEMPTS="3")
    week.seed(seeded_home)
    sink.die_after = ACCEPTED_BEFORE_DYING

    code, summary, err = week.run_week()
    assert code == 1, err[-2000:]
    assert "Traceback" not in err
    line = last_line(err)
    assert line.startswith("error: ") and f"--week {WEEK}" in line, err[-2000:]
    assert summary["ok"] is False and summary["error"] in line
    statuses = week.statuses()
    assert statuses[SENT] == ACCEPTED_BEFORE_DYING == len(sink.accepted)
    assert sum(statuses.values()) == 20  # the other twelve wait, none lost

    sink.die_after = 0
    sink.start()  # the server is back, on the same port
    recovery = week(*_command_in(line))  # `deliveries replay --week W`
    assert recovery.returncode == 0, recovery.stderr[-2000:]
    assert sink.per_recipient() == dict.fromkeys(SUBSCRIBERS, 1)
    assert week.statuses() == {SENT: 20}


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply", ["451 4.3.0 Try again later", "421 4.7.0 Too many connections, closing"]
)
def test_a_server_that_refuses_for_a_while_gets_every_message_once(
    reply: str, sink: SmtpSink, seeded_home, tmp_path: Path
) -> None:
    week = SmtpWeek(tmp_path / "home", sink).seed(seeded_home)
    sink.busy = (30, reply)  # every message is refused at least once, ten twice

    code, summary, err = week.run_week()
    assert code == 0, err[-2000:]
    assert summary["emails_sent"] == 20 and summary["emails_failed"] == 0
    assert sink.refused == 30
    assert sink.per_recipient() == dict.fromkeys(SUBSCRIBERS, 1)
    rows = week.deliveries()
    assert {row["status"] for row in rows} == {SENT}  # nothing recorded permanent
    assert sum(row["attempts"] for row in rows) == 20 + 30


@pytest.mark.slow
def test_a_server_that_answers_after_the_timeout_duplicates_only_by_message_id(
    sink: SmtpSink, seeded_home, tmp_path: Path
) -> None:
    week = SmtpWeek(tmp_path / "home", sink, REPORT_PIPELINE_SMTP_TIMEOUT_SECONDS="1")
    week.seed(seeded_home)
    sink.slow = (2, 4.0)  # the first two messages: held by the server, 250 after 4 s

    code, summary, err = week.run_week()
    assert code == 0, err[-2000:]
    assert summary["emails_sent"] == 20
    rows = week.deliveries()
    assert {row["status"] for row in rows} == {SENT}
    retried = {row["email"]: row["attempts"] - 1 for row in rows if row["attempts"] > 1}
    # Each late answer made the client give up and send that message again later (its
    # second try may be slow too): at least one, at most two tries timed out.
    assert 1 <= sum(retried.values()) <= 2, (rows, sink.accepted)
    # The ambiguity of SMTP: the server had kept every message it answered late, so each
    # timed-out try is one more copy, with the same Message-ID; nobody else has two.
    assert sink.duplicates() == sum(retried.values()), sink.accepted
    assert {r: n - 1 for r, n in sink.per_recipient().items() if n > 1} == retried
    assert sink.per_recipient_deduplicated() == dict.fromkeys(SUBSCRIBERS, 1)


def _command_in(line: str) -> list[str]:
    """The last `report-pipeline ...` command an error line names, as arguments."""
    command = line.split("`")[-2]
    assert command.startswith("report-pipeline "), line
    return command.split()[1:]
