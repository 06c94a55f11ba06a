"""A seeded embedded state whose `report-pipeline` commands mail through a real SMTP sink.

Three notes of the week and twenty subscribers, stored through the CLI; every
command runs as its own process, as an operator's would. Retries are made fast
(base 0.2 s) so a fault that lasts a few attempts settles in seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from report_pipeline_tests.cli.conftest import Cli
from report_pipeline_tests.faults.smtp_sink import HOST, SmtpSink

WEEK = "2024-03-04"
SUBSCRIBERS = [f"reader{number:02d}@example.com" for number in range(20)]


class SmtpWeek(Cli):
    def __init__(self, home: Path, sink: SmtpSink, **env: str) -> None:
        super().__init__(home)
        self.env.update(
            {
                "REPORT_PIPELINE_MAILER": "smtp",
                "REPORT_PIPELINE_SMTP_HOST": HOST,
                "REPORT_PIPELINE_SMTP_PORT": str(sink.port),
                "REPORT_PIPELINE_SMTP_SECURITY": "none",
                "REPORT_PIPELINE_DELIVERY_RETRY_BASE_SECONDS": "0.2",
                "REPORT_PIPELINE_DELIVERY_RETRY_MAX_SECONDS": "1",
                **env,
            }
        )

    def seed(self, seeded_home: Callable[[list[str]], Path]) -> SmtpWeek:
        """The week's three notes and the twenty subscribers (a copy of the seeded state)."""
        self.copy_state(seeded_home(SUBSCRIBERS))
        return self

    def run_week(self, **env: str) -> tuple[int, dict, str]:
        """`report-pipeline run --week W --json`: exit status, its one JSON object, stderr."""
        done = self.popen(["run", "--week", WEEK, "--json"], **env)
        out, err = done.communicate(timeout=900)
        return done.returncode, json.loads(out.strip().splitlines()[-1]) if out else {}, err

    def popen(self, args: list[str], **env: str) -> subprocess.Popen:
        """A command in a session of its own, so a kill takes its step processes too."""
        return subprocess.Popen(
            [sys.executable, "-m", "report_pipeline.cli", *args],
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def deliveries(self) -> list[dict]:
        listed = self("deliveries", "list", "--week", WEEK, "--json")
        assert listed.returncode == 0, listed.stderr
        return [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]

    def statuses(self) -> Counter[str]:
        return Counter(row["status"] for row in self.deliveries())


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the command and every process it started (its session)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


def last_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
