"""Link-only delivery: mode and TTL settings, signed per-recipient links, no PDF in the message."""

from __future__ import annotations

import dataclasses
import os
import stat
from datetime import UTC, date, datetime

import pytest

from report_pipeline.appdb.deliveries import ClaimedDelivery
from report_pipeline.delivery.dispatch import ReportComposer, ReportToSend
from report_pipeline.delivery.links import (
    DownloadSigner,
    ExpiredDownloadToken,
    InvalidDownloadToken,
    StoredReport,
    delivery_mode,
    download_secret,
    plan_links,
)
from report_pipeline.settings import PatientDataEnv, SettingsError, load_settings
from report_pipeline.storage.object_store import LocalObjectStore

STORED = StoredReport(report_id=7, pdf_key="reports/x.pdf", pdf_size=10)
SUMMARY = {"documents_total": 3, "documents_ok": 3, "documents_failed": 0}
REPORT = ReportToSend(
    report_id=7,
    week=date(2024, 3, 4),
    summary=SUMMARY,
    pdf=b"%PDF-1.4 x",
    pdf_filename="weekly-report-2024-03-04.pdf",
)


def _patient_data(**env: str) -> PatientDataEnv:
    return load_settings({f"REPORT_PIPELINE_{k.upper()}": v for k, v in env.items()}).patient_data


def test_mode_defaults_to_link_on_s3_and_attachment_elsewhere() -> None:
    assert _patient_data().delivery_mode is None
    assert (delivery_mode(None, "s3"), delivery_mode(None, "local")) == ("link", "attachment")
    configured = _patient_data(delivery_mode="link").delivery_mode
    assert delivery_mode(configured, "local") == "link"
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_DELIVERY_MODE"):
        _patient_data(delivery_mode="fax")


@pytest.mark.parametrize(
    "raw,seconds", [("", 604800), ("3600", 3600), ("2d", 172800), ("12h", 43200), ("90m", 5400)]
)
def test_link_ttl(raw: str, seconds: int) -> None:
    assert _patient_data(download_link_ttl=raw).download_link_ttl_seconds == seconds


@pytest.mark.parametrize("raw", ["8d", "0", "soon", "-1h"])
def test_link_ttl_rejects_what_s3_cannot_sign(raw: str) -> None:
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_DOWNLOAD_LINK_TTL"):
        _patient_data(download_link_ttl=raw)


def test_retention_and_public_url_settings() -> None:
    assert _patient_data().retention_days == 400
    assert _patient_data(retention_days="30").retention_days == 30
    assert _patient_data(public_url="https://r.example/").public_url == "https://r.example"
    for name, bad in (("retention_days", "0"), ("public_url", "ftp://x"), ("download_secret", "x")):
        with pytest.raises(SettingsError):
            _patient_data(**{name: bad})


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


def test_embedded_secret_is_made_once_and_private(tmp_path) -> None:
    first = download_secret(tmp_path)
    assert download_secret(tmp_path) == first and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "download-secret").st_mode) == 0o600
    assert download_secret(tmp_path, "c" * 40) == "c" * 40


def test_link_mode_message_carries_the_recipients_link_and_no_pdf(tmp_path) -> None:
    patient = _patient_data(delivery_mode="link", public_url="https://reports.example.test/")
    now = datetime(2024, 3, 11, tzinfo=UTC)
    store = LocalObjectStore(tmp_path)
    plan = plan_links(store, STORED, tmp_path, 7_000_000, 3600, patient, now=now)
    assert plan.link_only and plan.download_url is None
    assert plan.expires_at == datetime(2024, 3, 18, tzinfo=UTC)
    report = dataclasses.replace(
        REPORT, link_only=True, link_for=plan.link_for, download_expires_at=plan.expires_at
    )
    composer = ReportComposer(report, "Reports <reports@example.com>")
    message = composer(ClaimedDelivery(1, 7, "ann@example.com", "Ann", 1))
    assert not any(part.get_content_type() == "application/pdf" for part in message.walk())
    text = message.get_body(("plain",)).get_content()
    assert "https://reports.example.test/api/reports/7/download?token=" in text
    assert "attached" not in text


def test_attachment_mode_keeps_the_pdf_attached(tmp_path) -> None:
    patient = _patient_data(delivery_mode="attachment")
    store = LocalObjectStore(tmp_path)
    plan = plan_links(store, STORED, tmp_path, 7_000_000, 60, patient)
    assert plan == type(plan)()
    message = ReportComposer(REPORT, "reports@example.com")(
        ClaimedDelivery(1, 7, "ann@example.com", None, 1)
    )
    wire = getattr(message, "wire", None) or message.as_bytes()  # the fast path's bytes
    assert b"Content-Type: application/pdf" in wire


def test_a_customer_scope_can_have_its_own_mode(tmp_path) -> None:
    patient = _patient_data(delivery_mode_by_customer="acme=link, globex=attachment")
    store = LocalObjectStore(tmp_path)

    def plan(customer: str | None):
        stored = dataclasses.replace(STORED, customer=customer)
        return plan_links(store, stored, tmp_path, 7_000_000, 60, patient)

    assert plan("acme").link_only  # overridden for acme
    assert not plan("globex").link_only
    assert not plan(None).link_only and not plan("initech").link_only  # the default


@pytest.mark.parametrize("raw", ["acme=fax", "acme", "=link", "acme/x=link"])
def test_a_bad_per_customer_mode_names_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_DELIVERY_MODE_BY_CUSTOMER"):
        _patient_data(delivery_mode_by_customer=raw)
