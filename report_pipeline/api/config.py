"""API configuration from the settings (secrets only from the environment)."""

from __future__ import annotations

from dataclasses import dataclass

from report_pipeline.secret_strength import startup_secrets, weak_secrets, weakness
from report_pipeline.settings import ApiEnv, SettingsError, load_settings


class ConfigError(SettingsError):
    pass


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


def jwt_config_from_env(env: ApiEnv | None = None) -> JwtConfig | None:
    env = env or load_settings().api
    jwt = env.jwt
    algorithm, issuer, audience = jwt.algorithm, jwt.issuer, jwt.audience
    if algorithm == "HS256":
        key = jwt.secret
    elif algorithm == "RS256":
        key = jwt.public_key
        path = jwt.public_key_file
        if key is None and path:
            with open(path, encoding="utf-8") as handle:
                key = handle.read()
    else:
        raise ConfigError(
            f"REPORT_PIPELINE_JWT_ALGORITHM must be HS256 or RS256, not {algorithm!r}"
        )
    if key is None and issuer is None and audience is None:
        return None
    missing = [
        name
        for name, value in (
            ("key", key),
            ("REPORT_PIPELINE_JWT_ISSUER", issuer),
            ("REPORT_PIPELINE_JWT_AUDIENCE", audience),
        )
        if value is None
    ]
    if missing:
        raise ConfigError(f"JWT is partly configured; missing {', '.join(missing)}")
    if algorithm == "HS256" and (why := weakness(key)):
        raise ConfigError(
            f"REPORT_PIPELINE_JWT_SECRET is too weak: {why}"
            " (at least 32 characters, varied; e.g. `openssl rand -base64 48`)"
        )
    return JwtConfig(algorithm, key, issuer, audience)


def check_startup_secrets(settings) -> None:
    """One ConfigError listing every weak signing secret (the doctor checks the same)."""
    problems = weak_secrets(startup_secrets(settings))
    if problems:
        raise ConfigError("; ".join(problems) + " (generate one: `openssl rand -base64 48`)")


def api_config_from_env(env: ApiEnv | None = None) -> ApiConfig:
    env = env or load_settings().api
    return ApiConfig(
        jwt=jwt_config_from_env(env),
        dagster_graphql_url=env.dagster_graphql_url,
        dagster_location=env.dagster_location,
        download_ttl_seconds=env.download_url_ttl_seconds,
    )
