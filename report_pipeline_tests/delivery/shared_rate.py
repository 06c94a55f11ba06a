"""Helpers of the shared send-rate tests: run sender processes, judge their send times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 120  # seconds; a hung child fails the test instead of hanging it


def take_in_processes(kind: str, url: str, name: str, rate: float, each: int, processes: int):
    """Send times (asked + wait) of every token taken by `processes` children together."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "report_pipeline_tests.delivery.rate_child"]
    children = [
        subprocess.Popen(
            [*args, kind, url, name, str(rate), str(each)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    times = []
    for child in children:
        out, err = child.communicate(timeout=CHILD_TIMEOUT)
        assert child.returncode == 0, err[-2000:]
        times += [asked + wait for asked, wait in json.loads(out)]
    return sorted(times)


def most_in_any_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def assert_within_rate(times: list[float], rate: float, burst: float) -> None:
    """The bucket's promise: at most burst + rate * T tokens in any span T; past the
    first burst (a full bucket's saved-up second), within 5% of the rate."""
    span = times[-1] - times[0]
    assert len(times) <= burst + rate * span + 1, (len(times), span)
    assert (len(times) - burst) / span <= 1.05 * rate
    assert most_in_any_window(times, 2.0) <= burst + 2 * rate + 1
