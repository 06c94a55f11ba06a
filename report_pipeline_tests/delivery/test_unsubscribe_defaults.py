"""The generated unsubscribe secret and which link bases one-click accepts."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from report_pipeline.delivery.settings import delivery_settings, unsubscribe_signer
from report_pipeline.delivery.tokens import (
    UnsubscribeLinks,
    UnsubscribeSigner,
    is_loopback_url,
    load_or_create_secret,
)
from report_pipeline.settings import load_settings


def test_the_secret_is_generated_once_private_and_reused(tmp_path) -> None:
    path = tmp_path / "state" / "unsubscribe.secret"
    first = load_or_create_secret(path)
    assert len(first) >= 32 and path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(path) == first


def test_first_starts_at_once_all_read_one_complete_secret(tmp_path) -> None:
    # Sender workers started together on a fresh state directory once read
    # the file while its creator was still writing it.
    path = tmp_path / "state" / "unsubscribe.secret"
    with ProcessPoolExecutor(max_workers=6) as pool:
        secrets_read = list(pool.map(load_or_create_secret, [path] * 60))
    assert len(set(secrets_read)) == 1 and len(secrets_read[0]) >= 32
    assert [entry.name for entry in path.parent.iterdir()] == ["unsubscribe.secret"]


def test_a_damaged_secret_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "unsubscribe.secret"
    path.write_text("short\n")
    with pytest.raises(ValueError, match="delete it to generate a new one"):
        load_or_create_secret(path)


def test_the_sender_and_the_api_sign_with_the_same_generated_secret(tmp_path) -> None:
    env = load_settings({"REPORT_PIPELINE_HOME": str(tmp_path)}).delivery
    links = delivery_settings(env).unsubscribe
    token = links.url_for("ann@example.com").split("token=", 1)[1]
    assert unsubscribe_signer(env).verify(token) == "ann@example.com"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000/unsubscribe", True),
        ("http://localhost/unsubscribe", True),
        ("http://[::1]:8000/unsubscribe", True),
        ("http://reports.example.com/unsubscribe", False),
        ("http://127.0.0.1.example.com/unsubscribe", False),
    ],
)
def test_plain_http_links_only_for_this_machine(url: str, local: bool) -> None:
    assert is_loopback_url(url) is local
    signer = UnsubscribeSigner("k" * 40)
    if local:
        UnsubscribeLinks(url, signer)
    else:
        with pytest.raises(ValueError, match="https"):
            UnsubscribeLinks(url, signer)
