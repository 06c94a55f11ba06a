"""`doctor` on an SMTP server behind a private CA: it names REPORT_PIPELINE_SMTP_CA_FILE."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_pipeline.settings import load_settings
from report_pipeline.tooling.doctor import check_mailer
from report_pipeline_tests.delivery.conftest import smtp_server_factory  # noqa: F401
from report_pipeline_tests.delivery.tls_ca import make_test_ca


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_suggests_the_ca_file_setting_which_then_works(
    smtp_server_factory,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    security: str,
) -> None:
    ca = make_test_ca(tmp_path / "ca")
    tls = (
        {"tls_context": ca.server_context()}
        if security == "starttls"
        else {"ssl_context": ca.server_context()}
    )
    server = smtp_server_factory(**tls)
    env = {
        "REPORT_PIPELINE_HOME": str(tmp_path / "home"),
        "REPORT_PIPELINE_MAILER": "smtp",
        "REPORT_PIPELINE_SMTP_HOST": server.host,
        "REPORT_PIPELINE_SMTP_PORT": str(server.port),
        "REPORT_PIPELINE_SMTP_SECURITY": security,
    }

    [finding] = check_mailer(load_settings(env))
    assert not finding.ok
    assert "certificate" in finding.problem
    assert "REPORT_PIPELINE_SMTP_CA_FILE" in finding.fix

    [finding] = check_mailer(
        load_settings({**env, "REPORT_PIPELINE_SMTP_CA_FILE": str(ca.ca_file)})
    )
    assert finding.ok, finding.line()

    [finding] = check_mailer(
        load_settings({**env, "REPORT_PIPELINE_SMTP_CA_FILE": str(tmp_path / "missing.pem")})
    )
    assert not finding.ok and "REPORT_PIPELINE_SMTP_CA_FILE" in finding.problem
