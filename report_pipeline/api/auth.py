"""Who is calling: a bearer JWT or an API key becomes a `Principal`.

JWT: PyJWT with one configured algorithm (HS256 secret or RS256 public key),
`exp`, `iss` and `aud` required and checked. API key: `X-API-Key` header,
looked up by prefix and checked by hash. Nothing here logs or returns a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from report_pipeline.api.config import JwtConfig
from report_pipeline.appdb.api_keys import verify_api_key
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.addresses import InvalidEmail, normalize_email

ROLES = ("admin", "operator", "analyst", "subscriber", "service")


class AuthenticationFailed(Exception):
    """No usable credential; the message is safe to show (it never echoes the credential)."""


@dataclass(frozen=True)
class Principal:
    actor: str
    roles: frozenset[str]
    email: str | None = None  # a subscriber's own (normalized) address
    credential: str = "jwt"
    # A subscriber's `customer` claim: the one scope it may subscribe itself to.
    # An invalid claim is kept as given: it matches no valid scope, so it grants nothing.
    customer: str | None = None

    @property
    def role_label(self) -> str:
        return ",".join(sorted(self.roles)) or "none"


def principal_from_jwt(
    token: str, config: JwtConfig | None, allow_special_use: Iterable[str] = ()
) -> Principal:
    if config is None:
        raise AuthenticationFailed("bearer tokens are not accepted: JWT is not configured")
    try:
        claims = jwt.decode(
            token,
            config.key,
            algorithms=[config.algorithm],
            issuer=config.issuer,
            audience=config.audience,
            leeway=config.leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("the token has expired") from None
    except jwt.InvalidTokenError as error:
        # PyJWT messages name the failed check (issuer, audience, signature), never the token.
        raise AuthenticationFailed(f"invalid token: {error}") from None
    raw_roles = claims.get("roles", [])
    # Only a JSON list of strings: a string such as "subscriber admin" is refused,
    # never split (splitting let one role claim carry another).
    if not isinstance(raw_roles, list) or not all(isinstance(role, str) for role in raw_roles):
        raise AuthenticationFailed("invalid token: the roles claim must be a list of strings")
    roles = frozenset(raw_roles) & frozenset(ROLES)  # unknown roles grant nothing
    email = None
    if claims.get("email"):
        try:
            email = normalize_email(str(claims["email"]), allow_special_use)
        except InvalidEmail:
            email = None  # an unusable address owns nothing
    customer = claims.get("customer")
    return Principal(
        actor=str(claims["sub"])[:200],
        roles=roles,
        email=email,
        customer=str(customer)[:100] if customer else None,
    )


def principal_from_api_key(key: str, app: AppStore) -> Principal:
    row = verify_api_key(app, key)
    if row is None:
        raise AuthenticationFailed("invalid or revoked API key")
    return Principal(actor=f"api-key:{row.name}", roles=frozenset({row.role}), credential="api_key")


def authenticate(
    authorization: str | None,
    api_key: str | None,
    app: AppStore,
    config: JwtConfig | None,
    allow_special_use: Iterable[str] = (),
) -> Principal:
    """Who is calling; `allow_special_use`: REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS."""
    if api_key:
        return principal_from_api_key(api_key, app)
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("expected 'Authorization: Bearer <token>'")
        return principal_from_jwt(token.strip(), config, allow_special_use)
    raise AuthenticationFailed("authentication required: a bearer token or an X-API-Key")
