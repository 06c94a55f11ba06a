"""Items 3 and 4: the SNS endpoint checks cheap things first and cannot be used to stall the API."""

from __future__ import annotations

import json
import threading

import httpx
from sqlalchemy import func, select

from report_pipeline.appdb.schema import EmailEvent, EmailSuppression
from report_pipeline.delivery.bounces import SnsVerifier
from report_pipeline_tests.api.conftest import auth
from report_pipeline_tests.delivery.test_ses_events import (
    CERT_URL,
    PEM,
    TOPIC,
    bounce,
    notification,
    signed,
)

NOTIFICATIONS = "/api/ses/notifications"


class CountingFetch:
    def __init__(self, answer: bytes | None = PEM, gate: threading.Event | None = None) -> None:
        self.answer, self.gate = answer, gate
        self.calls: list[str] = []
        self.active = self.peak = 0
        self.lock = threading.Lock()
        self.entered = threading.Semaphore(0)

    def __call__(self, url: str) -> bytes:
        with self.lock:
            self.calls.append(url)
            self.active += 1
            self.peak = max(self.peak, self.active)
        self.entered.release()
        try:
            if self.gate is not None:
                self.gate.wait()
            if self.answer is None:
                raise OSError("connection refused")
            return self.answer
        finally:
            with self.lock:
                self.active -= 1


def _post(client: httpx.Client, envelope: dict) -> httpx.Response:
    return client.post(
        NOTIFICATIONS,
        content=json.dumps(envelope),
        headers={"Content-Type": "text/plain; charset=UTF-8"},
    )


def _nothing_written(store) -> bool:
    with store.session() as session:
        return (
            session.scalar(select(func.count()).select_from(EmailEvent)) == 0
            and session.scalar(select(func.count()).select_from(EmailSuppression)) == 0
        )


def test_without_a_topic_allow_list_nothing_is_accepted(api) -> None:
    fetch = CountingFetch()
    api.app.state.sns_verifier = SnsVerifier(fetch=fetch)  # what the default settings build
    confirmed: list[str] = []
    api.app.state.sns_confirm = confirmed.append
    with api.client() as client:
        answer = _post(client, notification(bounce("victim@example.com")))
        confirm = _post(
            client,
            signed(
                {
                    "Type": "SubscriptionConfirmation",
                    "Message": "confirm",
                    "Token": "t",
                    "SubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
                }
            ),
        )
    assert answer.status_code == 403 and answer.json()["error"] == "not_configured"
    assert confirm.status_code == 403
    assert fetch.calls == [] and confirmed == []
    assert _nothing_written(api.store)


def test_default_settings_refuse_too(api) -> None:
    with api.client() as client:
        assert _post(client, notification(bounce("v@example.com"))).status_code == 403


def test_topic_shape_and_port_are_checked_before_any_fetch(start_api) -> None:
    running = start_api(REPORT_PIPELINE_SES_SNS_TOPIC_ARNS=TOPIC)
    fetch = CountingFetch()
    running.app.state.sns_verifier = SnsVerifier(fetch=fetch, topic_arns=[TOPIC])
    good = notification(bounce("victim@example.com"))
    attacks = [
        {**good, "TopicArn": "arn:aws:sns:eu-west-1:999999999999:attacker"},
        {**good, "SigningCertURL": "https://sns.eu-west-1.amazonaws.com:8443/slow.pem"},
        {**good, "SigningCertURL": "https://user@sns.eu-west-1.amazonaws.com/c.pem"},
        {k: v for k, v in good.items() if k != "Message"},
        {**good, "Message": {"not": "a string"}},
        {**good, "Signature": ""},
        [good],
    ]
    with running.client() as client:
        for attack in attacks:
            answer = _post(client, attack)
            assert answer.status_code == 403, (attack, answer.text)
    assert fetch.calls == []
    assert _nothing_written(running.store)


def test_certificate_failures_are_cached(start_api) -> None:
    running = start_api(REPORT_PIPELINE_SES_SNS_TOPIC_ARNS=TOPIC)
    fetch = CountingFetch(answer=None)
    running.app.state.sns_verifier = SnsVerifier(fetch=fetch, topic_arns=[TOPIC])
    with running.client() as client:
        for _ in range(5):
            assert _post(client, notification(bounce("v@example.com"))).status_code == 403
    assert fetch.calls == [CERT_URL]


def test_certificates_are_cached(start_api) -> None:
    running = start_api(REPORT_PIPELINE_SES_SNS_TOPIC_ARNS=TOPIC)
    fetch = CountingFetch()
    running.app.state.sns_verifier = SnsVerifier(fetch=fetch, topic_arns=[TOPIC])
    with running.client() as client:
        for n in range(3):
            assert _post(client, notification(bounce(f"b{n}@example.com"))).status_code == 200
    assert fetch.calls == [CERT_URL]


def test_slow_certificate_hosts_do_not_stall_other_requests(start_api) -> None:
    """45 posts whose certificate fetch hangs; an admin's listing still answers meanwhile."""
    running = start_api(REPORT_PIPELINE_SES_SNS_TOPIC_ARNS=TOPIC)
    gate = threading.Event()
    fetch = CountingFetch(gate=gate)
    running.app.state.sns_verifier = SnsVerifier(fetch=fetch, topic_arns=[TOPIC], max_fetches=4)
    results: list[int] = []

    def attack(n: int) -> None:
        envelope = notification(bounce(f"x{n}@example.com"))
        envelope["SigningCertURL"] = f"https://sns.eu-west-1.amazonaws.com/slow-{n}.pem"
        with running.client() as client:
            results.append(_post(client, envelope).status_code)

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(45)]
    for thread in threads:
        thread.start()
    for _ in range(4):
        fetch.entered.acquire()  # four fetches are hanging now
    with running.client() as client:
        listing = client.get("/api/reports", headers=auth("admin"))
        health = client.get("/healthz")
    assert listing.status_code == 200 and health.status_code == 200
    gate.set()
    for thread in threads:
        thread.join()
    assert fetch.peak <= 4
    assert len(results) == 45 and all(status < 500 for status in results)
