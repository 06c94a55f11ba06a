"""One strength rule for the secrets we sign with (JWT HS256, unsubscribe links, cursors).

Checked when the API starts and by `report-pipeline doctor`, so a weak value is
one clear error naming the variable instead of a 500 later.
"""

from __future__ import annotations

MIN_CHARS = 32
MIN_DISTINCT = 8  # "x" * 40 or 32 spaces are long but guessable


def weakness(secret: str) -> str | None:
    """Why `secret` is too weak, or None."""
    if secret != secret.strip() or not secret.strip():
        return "it is blank or has leading/trailing whitespace"
    if len(secret) < MIN_CHARS:
        return f"it must be at least {MIN_CHARS} characters (it has {len(secret)})"
    if len(set(secret)) < MIN_DISTINCT:
        return f"it must use at least {MIN_DISTINCT} different characters"
    return None


def weak_secrets(named: dict[str, str | None]) -> list[str]:
    """'NAME: why' for each set, weak secret (generate one: `openssl rand -base64 48`)."""
    return [
        f"{name} is too weak: {why}"
        for name, value in named.items()
        if value is not None and (why := weakness(value))
    ]


def startup_secrets(settings) -> dict[str, str | None]:
    """The signing secrets the API uses, by variable name."""
    named: dict[str, str | None] = {
        "REPORT_PIPELINE_UNSUBSCRIBE_SECRET": settings.delivery.unsubscribe_secret,
        "REPORT_PIPELINE_API_CURSOR_SECRET": settings.api.cursor_secret,
    }
    if settings.api.jwt.algorithm == "HS256":
        named["REPORT_PIPELINE_JWT_SECRET"] = settings.api.jwt.secret
    for number, previous in enumerate(settings.delivery.unsubscribe_previous_secrets, 1):
        named[f"REPORT_PIPELINE_UNSUBSCRIBE_PREVIOUS_SECRETS (#{number})"] = previous
    return named
