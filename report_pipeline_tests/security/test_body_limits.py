"""Item 5: oversized bodies are refused before authentication and parsing, in bounded memory."""

from __future__ import annotations

import gc
import socket
from urllib.parse import urlsplit

import psutil
import pytest

from report_pipeline_tests.security.helpers import audit_count, post_raw

MB = 1024 * 1024


def _rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


@pytest.mark.parametrize(
    "path", ["/api/reports", "/api/ses/notifications", "/api/reports/registered-users"]
)
def test_declared_oversized_body_is_refused_unread(api, path) -> None:
    idle = _rss()
    status, sent = post_raw(api.url, path, 100 * MB, chunked=False)
    grown = _rss() - idle
    assert status == 413
    assert sent < 100 * MB  # the answer came before the body
    api.wait_idle()
    assert audit_count(api.store) == 0
    print(f"\nRSS growth for a declared 100 MB POST to {path}: {grown / MB:.1f} MB")
    assert grown < 50 * MB


@pytest.mark.parametrize("path", ["/api/reports", "/api/ses/notifications"])
def test_streamed_oversized_body_is_cut_off_at_the_limit(start_api, path) -> None:
    # With a topic configured the SNS endpoint really reads its body.
    api = start_api(REPORT_PIPELINE_SES_SNS_TOPIC_ARNS="arn:aws:sns:eu-west-1:123456789012:ses")
    idle = _rss()
    status, sent = post_raw(api.url, path, 500 * MB, chunked=True)
    grown = _rss() - idle
    assert status == 413
    assert sent < 500 * MB
    # The audit row (if any) is written after the response: wait for the request to end.
    api.wait_idle()
    assert audit_count(api.store) == 0
    print(
        f"\nRSS growth for a chunked 500 MB POST to {path}: {grown / MB:.1f} MB"
        f" ({sent / MB:.0f} MB sent before the 413)"
    )
    assert grown < 50 * MB


def test_non_numeric_content_length_is_a_400(api) -> None:
    parts = urlsplit(api.url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(b"POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n{}")
        answer = sock.recv(4096)
    assert answer.split(b" ")[1] == b"400"
    assert audit_count(api.store) == 0


def test_body_under_the_limit_still_reaches_authentication(api) -> None:
    with api.client() as client:
        response = client.post("/api/reports", json={"week": "2024-03-04"})
    assert response.status_code == 401


def test_limit_is_configurable(start_api) -> None:
    small = start_api(REPORT_PIPELINE_API_MAX_BODY_BYTES="2048")
    status, _ = post_raw(small.url, "/api/reports", 4096, chunked=True, chunk=1024)
    assert status == 413
