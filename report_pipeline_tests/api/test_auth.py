"""JWT (HS256 and RS256, issuer, audience, expiry) and API keys from the CLI."""

from __future__ import annotations

import time

import click
import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from report_pipeline.api.auth import AuthenticationFailed, principal_from_jwt
from report_pipeline.api.config import ConfigError, JwtConfig, jwt_config_from_env
from report_pipeline.cli.api import api
from report_pipeline.cli.api_keys import api_keys
from report_pipeline.cli.db import db
from report_pipeline_tests.api.conftest import AUDIENCE, ISSUER, JWT, make_token


def test_hs256_checks_signature_issuer_audience_and_expiry() -> None:
    ok = principal_from_jwt(make_token("operator", "bogus", email="Op@Example.com"), JWT)
    assert ok.roles == {"operator"} and ok.email == "op@example.com"
    bad = {
        "signature": make_token("admin", key="wrong-secret-" + "z" * 40),
        "issuer": make_token("admin", iss="https://evil.example/"),
        "audience": make_token("admin", aud="another-api"),
        "expired": make_token("admin", exp=int(time.time()) - 3600),
        "alg none": jwt.encode(
            {
                "sub": "x",
                "iss": ISSUER,
                "aud": AUDIENCE,
                "roles": ["admin"],
                "exp": int(time.time()) + 60,
            },
            None,
            algorithm="none",
        ),
    }
    for name, token in bad.items():
        with pytest.raises(AuthenticationFailed):
            principal_from_jwt(token, JWT)
        assert name


def test_rs256_with_a_public_key(monkeypatch) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    monkeypatch.setenv("REPORT_PIPELINE_JWT_ALGORITHM", "RS256")
    monkeypatch.setenv("REPORT_PIPELINE_JWT_PUBLIC_KEY", public_pem)
    monkeypatch.setenv("REPORT_PIPELINE_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("REPORT_PIPELINE_JWT_AUDIENCE", AUDIENCE)
    config = jwt_config_from_env()
    token = make_token("analyst", key=private, algorithm="RS256")
    assert principal_from_jwt(token, config).roles == {"analyst"}
    # An HS256 token signed with the public key as secret (algorithm confusion) is refused.
    with pytest.raises(AuthenticationFailed):
        principal_from_jwt(make_token("admin"), config)
    assert public_pem not in repr(config)


def test_partial_or_weak_jwt_configuration_fails_loudly(monkeypatch) -> None:
    for name in (
        "REPORT_PIPELINE_JWT_ALGORITHM",
        "REPORT_PIPELINE_JWT_SECRET",
        "REPORT_PIPELINE_JWT_ISSUER",
        "REPORT_PIPELINE_JWT_AUDIENCE",
    ):
        monkeypatch.delenv(name, raising=False)
    assert jwt_config_from_env() is None
    monkeypatch.setenv("REPORT_PIPELINE_JWT_SECRET", "short")
    with pytest.raises(ConfigError):
        jwt_config_from_env()
    monkeypatch.setenv("REPORT_PIPELINE_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("REPORT_PIPELINE_JWT_AUDIENCE", AUDIENCE)
    with pytest.raises(ConfigError, match="32"):
        jwt_config_from_env()
    monkeypatch.setenv("REPORT_PIPELINE_JWT_SECRET", "s" * 40)  # long but one character
    with pytest.raises(ConfigError, match="different characters"):
        jwt_config_from_env()
    strong = "Vq3-pL9_xZ2#mT7!kR4@wN8$bH5%cJ6^"
    monkeypatch.setenv("REPORT_PIPELINE_JWT_SECRET", strong)
    assert isinstance(jwt_config_from_env(), JwtConfig)
    assert strong not in repr(jwt_config_from_env())


def _cli() -> click.Group:
    group = click.Group()
    for command in (api, db, api_keys):
        group.add_command(command)
    return group


def test_api_keys_are_printed_once_stored_hashed_and_revocable(settings, sqlite_client) -> None:
    runner = CliRunner()
    assert "app database at revision 000" in runner.invoke(_cli(), ["db", "upgrade"]).output
    created = runner.invoke(_cli(), ["api-keys", "create", "--role", "service", "--name", "w1"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("rpk_")
    store = sqlite_client.app.state.context.store
    with store.engine.connect() as connection:
        stored = " ".join(
            str(v) for row in connection.execute(text("SELECT * FROM api_keys")) for v in row
        )
    assert key not in stored and key.split("_")[2] not in stored
    listed = runner.invoke(_cli(), ["api-keys", "list"]).output
    assert "w1\tservice\tactive" in listed and key not in listed
    headers = {"X-API-Key": key}
    assert sqlite_client.get("/api/reports/1", headers=headers).status_code == 404  # allowed
    assert sqlite_client.get("/api/audit", headers=headers).status_code == 403
    prefix = key.split("_")[1]
    assert runner.invoke(_cli(), ["api-keys", "revoke", prefix]).exit_code == 0
    assert sqlite_client.get("/api/reports/1", headers=headers).status_code == 401
    missing = runner.invoke(_cli(), ["api-keys", "revoke", "nope"])
    assert missing.exit_code == 1 and missing.output.startswith("error:")
    bad_role = runner.invoke(_cli(), ["api-keys", "create", "--role", "root"])
    assert bad_role.exit_code != 0
    rows = sqlite_client.get(
        "/api/audit", headers={"Authorization": f"Bearer {make_token('admin')}"}
    ).json()["items"]
    assert [r["actor"] for r in rows][:2] == ["anonymous", "api-key:w1"]
