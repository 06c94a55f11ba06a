"""Link-only delivery: mode and TTL settings, signed per-recipient links, no PDF in the message."""

from __future__ import annotations

import dataclasses
import os
import stat
from datetime import date, datetime, timezone

import pytest

from report_pipeline.appdb.deliveries import ClaimedDelivery
from report_pipeline.delivery.dispatch import ReportComposer, ReportToSend
from report_pipeline.delivery.links import (
    DownloadLinks, DownloadSigner, ExpiredDownloadToken, InvalidDownloadToken, LinkSettingError,
    delivery_mode, download_link_ttl_seconds, download_secret, plan_links,
)
from report_pipeline.storage.object_store import LocalObjectStore

SUMMARY = {"documents_total": 3, "documents_ok": 3, "documents_failed": 0}
REPORT = ReportToSend(report_id=7, week=date(2024, 3, 4), summary=SUMMARY, pdf=b"%PDF-1.4 x",
                      pdf_filename="weekly-report-2024-03-04.pdf")


def test_mode_defaults_to_link_on_s3_and_attachment_elsewhere(monkeypatch) -> None:
    monkeypatch.delenv("REPORT_PIPELINE_DELIVERY_MODE", raising=False)
    assert (delivery_mode("s3"), delivery_mode("local")) == ("link", "attachment")
    monkeypatch.setenv("REPORT_PIPELINE_DELIVERY_MODE", "Link")
    assert delivery_mode("local") == "link"
    monkeypatch.setenv("REPORT_PIPELINE_DELIVERY_MODE", "fax")
    with pytest.raises(LinkSettingError, match="attachment or link"):
        delivery_mode("local")


@pytest.mark.parametrize("raw,seconds", [("", 604800), ("3600", 3600), ("2d", 172800),
                                         ("12h", 43200), ("90m", 5400)])
def test_link_ttl(monkeypatch, raw: str, seconds: int) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_DOWNLOAD_LINK_TTL", raw)
    assert download_link_ttl_seconds() == seconds


@pytest.mark.parametrize("raw", ["8d", "0", "soon", "-1h"])
def test_link_ttl_rejects_what_s3_cannot_sign(monkeypatch, raw: str) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_DOWNLOAD_LINK_TTL", raw)
    with pytest.raises(LinkSettingError):
        download_link_ttl_seconds()


def test_tokens_name_report_and_recipient_and_expire() -> None:
    signer = DownloadSigner("k" * 40, ttl_seconds=60)
    token = signer.token_for(7, "ann@example.com", now=1000)
    assert signer.verify(token, 7, now=1059) == "ann@example.com"
    with pytest.raises(ExpiredDownloadToken):
        signer.verify(token, 7, now=1060)
    with pytest.raises(InvalidDownloadToken, match="another report"):
        signer.verify(token, 8, now=1000)
    body, _, mac = token.partition(".")
    for bad in (f"{body}x.{mac}", "nodot", "", DownloadSigner("j" * 40).token_for(7, "a@b.c")):
        with pytest.raises(InvalidDownloadToken):
            signer.verify(bad, 7, now=1000)


def test_embedded_secret_is_made_once_and_private(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("REPORT_PIPELINE_DOWNLOAD_SECRET", raising=False)
    first = download_secret(tmp_path)
    assert download_secret(tmp_path) == first and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "download-secret").st_mode) == 0o600


def test_link_mode_message_carries_the_recipients_link_and_no_pdf(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_DELIVERY_MODE", "link")
    monkeypatch.setenv("REPORT_PIPELINE_PUBLIC_URL", "https://reports.example.test/")
    now = datetime(2024, 3, 11, tzinfo=timezone.utc)
    plan = plan_links(LocalObjectStore(tmp_path), 7, "reports/x.pdf", 10, tmp_path,
                      7_000_000, 3600, now=now)
    assert plan.link_only and plan.download_url is None
    assert plan.expires_at == datetime(2024, 3, 18, tzinfo=timezone.utc)
    report = dataclasses.replace(REPORT, link_only=True, link_for=plan.link_for,
                                 download_expires_at=plan.expires_at)
    composer = ReportComposer(report, "Reports <reports@example.com>")
    message = composer(ClaimedDelivery(1, 7, "ann@example.com", "Ann", 1))
    assert not any(part.get_content_type() == "application/pdf" for part in message.walk())
    text = message.get_body(("plain",)).get_content()
    assert "https://reports.example.test/api/reports/7/download?token=" in text
    assert "attached" not in text


def test_attachment_mode_keeps_the_pdf_attached(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_DELIVERY_MODE", "attachment")
    plan = plan_links(LocalObjectStore(tmp_path), 7, "reports/x.pdf", 10, tmp_path, 7_000_000, 60)
    assert plan == type(plan)()
    message = ReportComposer(REPORT, "reports@example.com")(
        ClaimedDelivery(1, 7, "ann@example.com", None, 1))
    wire = getattr(message, "wire", None) or message.as_bytes()  # the fast path's bytes
    assert b"Content-Type: application/pdf" in wire
