"""API configuration, read once from the environment (secrets only from there)."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigError(ValueError):
    pass


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else None


@dataclass(frozen=True, repr=False)
class JwtConfig:
    algorithm: str
    key: str  # HS256 shared secret or RS256 public key (PEM)
    issuer: str
    audience: str
    leeway_seconds: int = 30

    def __repr__(self) -> str:  # never print the secret
        return f"JwtConfig(algorithm={self.algorithm!r}, issuer={self.issuer!r})"


@dataclass(frozen=True)
class ApiConfig:
    jwt: JwtConfig | None  # None: bearer tokens are refused, only API keys work
    dagster_graphql_url: str | None
    dagster_location: str | None
    download_ttl_seconds: int


def jwt_config_from_env() -> JwtConfig | None:
    algorithm = (_env("REPORT_PIPELINE_JWT_ALGORITHM") or "HS256").upper()
    issuer, audience = _env("REPORT_PIPELINE_JWT_ISSUER"), _env("REPORT_PIPELINE_JWT_AUDIENCE")
    if algorithm == "HS256":
        key = _env("REPORT_PIPELINE_JWT_SECRET")
    elif algorithm == "RS256":
        key = _env("REPORT_PIPELINE_JWT_PUBLIC_KEY")
        path = _env("REPORT_PIPELINE_JWT_PUBLIC_KEY_FILE")
        if key is None and path:
            with open(path, encoding="utf-8") as handle:
                key = handle.read()
    else:
        raise ConfigError(f"REPORT_PIPELINE_JWT_ALGORITHM must be HS256 or RS256, not {algorithm!r}")
    if key is None and issuer is None and audience is None:
        return None
    missing = [name for name, value in (
        ("key", key), ("REPORT_PIPELINE_JWT_ISSUER", issuer),
        ("REPORT_PIPELINE_JWT_AUDIENCE", audience),
    ) if value is None]
    if missing:
        raise ConfigError(f"JWT is partly configured; missing {', '.join(missing)}")
    if algorithm == "HS256" and len(key) < 32:
        raise ConfigError("REPORT_PIPELINE_JWT_SECRET must be at least 32 characters")
    return JwtConfig(algorithm, key, issuer, audience)


def api_config_from_env() -> ApiConfig:
    return ApiConfig(
        jwt=jwt_config_from_env(),
        dagster_graphql_url=_env("REPORT_PIPELINE_DAGSTER_GRAPHQL_URL"),
        dagster_location=_env("REPORT_PIPELINE_DAGSTER_LOCATION"),
        download_ttl_seconds=int(_env("REPORT_PIPELINE_DOWNLOAD_URL_TTL") or "300"),
    )
