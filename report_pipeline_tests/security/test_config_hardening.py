"""Items 9, 12, 13: tokens stay out of logs, weak secrets stop the start, private databases."""

from __future__ import annotations

import logging
import stat

import pytest
from click.testing import CliRunner

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ConfigError
from report_pipeline.cli import cli as cli_main
from report_pipeline.delivery.tokens import UnsubscribeSigner
from report_pipeline.settings import load_settings
from report_pipeline.tooling.doctor import check_security
from report_pipeline_tests.security.conftest import UNSUBSCRIBE_SECRET

WEAK = {"32 spaces": " " * 32, "short": "Ab3$" * 7, "one character": "x" * 40}


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_unsubscribe_tokens_do_not_reach_the_access_log(api) -> None:
    token = UnsubscribeSigner(UNSUBSCRIBE_SECRET).token_for("ann@example.com")
    collect = Collect()
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(collect)
    try:
        with api.client() as client:
            assert client.post("/unsubscribe", params={"token": token}).status_code == 200
            client.get("/unsubscribe", params={"token": token})
            client.get("/api/reports", params={"token": token})
    finally:
        logger.removeHandler(collect)
    assert len(collect.lines) == 3, collect.lines
    assert not [line for line in collect.lines if token in line or "ann@" in line]
    assert "/unsubscribe?[redacted]" in collect.lines[0]


@pytest.mark.parametrize(
    "variable",
    [
        "REPORT_PIPELINE_JWT_SECRET",
        "REPORT_PIPELINE_UNSUBSCRIBE_SECRET",
        "REPORT_PIPELINE_API_CURSOR_SECRET",
    ],
)
@pytest.mark.parametrize("weak", list(WEAK.values()), ids=list(WEAK))
def test_weak_secrets_stop_the_api_with_one_clear_error(
    settings, monkeypatch, variable, weak
) -> None:
    monkeypatch.setenv(variable, weak)
    monkeypatch.setenv("REPORT_PIPELINE_UNSUBSCRIBE_URL", "https://r.example/unsubscribe")
    monkeypatch.setenv("REPORT_PIPELINE_JWT_ISSUER", "https://auth.example/")
    monkeypatch.setenv("REPORT_PIPELINE_JWT_AUDIENCE", "api")
    if variable != "REPORT_PIPELINE_JWT_SECRET":
        monkeypatch.setenv("REPORT_PIPELINE_JWT_SECRET", "Vq3-pL9_xZ2#mT7!kR4@wN8$bH5%cJ6^")
    if variable != "REPORT_PIPELINE_UNSUBSCRIBE_SECRET":
        monkeypatch.setenv("REPORT_PIPELINE_UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET)
    with pytest.raises(ConfigError, match=variable):
        create_app(load_settings())
    result = CliRunner().invoke(cli_main, ["api", "--port", "0"])
    assert result.exit_code != 0
    assert variable in result.output and "Traceback" not in result.output
    findings = check_security(load_settings())
    assert any(not f.ok and variable in f.problem for f in findings)


def test_doctor_warns_without_a_topic_allow_list(settings, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_MAILER", "ses")
    findings = check_security(load_settings())
    [finding] = [f for f in findings if not f.ok and "SNS_TOPIC_ARNS" in f.problem]
    assert finding.warning and finding.line().startswith("warning ses events:")


def test_embedded_databases_are_owner_only(api) -> None:
    home = api.settings.home
    for name in ("app.sqlite3", "catalog.sqlite3"):
        mode = stat.S_IMODE((home / name).stat().st_mode)
        assert mode == 0o600, f"{name}: {oct(mode)}"


def test_existing_world_readable_database_is_tightened(settings) -> None:
    from report_pipeline.appdb.store import AppStore

    path = settings.home / "app.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o644)
    path.chmod(0o644)
    AppStore(settings.database_url).upgrade()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
