from __future__ import annotations

from collections.abc import Iterator

import pytest

from report_pipeline_tests.faults.smtp_sink import SmtpSink


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server for one test, faults off until the test sets them."""
    started = SmtpSink().start()
    yield started
    started.stop()
