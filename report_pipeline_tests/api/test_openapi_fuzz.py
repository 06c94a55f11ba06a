"""schemathesis against the app's own OpenAPI schema: no server errors, no response that
contradicts the schema (status codes, content types, bodies). Bounded to stay fast."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from report_pipeline.delivery.tokens import UnsubscribeSigner
from report_pipeline_tests.api.conftest import auth

try:
    from schemathesis.checks import not_a_server_error
except ImportError:  # moved between schemathesis releases
    from schemathesis.openapi.checks import not_a_server_error  # type: ignore

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


MAX_EXAMPLES = 8  # per operation and backend: bounded, deterministic


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch) -> None:
    # The fuzzer sends many invalid credentials on purpose; throttling would turn every
    # later case into a 429 and test nothing (throttling has its own tests).
    monkeypatch.setenv("REPORT_PIPELINE_API_RATE_LIMIT", "1000000/hour")


def test_no_server_errors_and_no_schema_violations(client) -> None:
    client.app.state.context.store.subscribe("someone@example.com")
    client.app.state.unsubscribe_signer = UnsubscribeSigner("fuzz-secret-" + "x" * 32)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case) -> None:
            case.call_and_validate(headers=auth("admin"), checks=CHECKS)

        exercise()
