"""Subscriber e-mail addresses: one canonical spelling per mailbox."""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email

_URL_UNSAFE = frozenset("/\\?#%")  # DELETE /registered-users/{email} could not reach them
_MAX_SHOWN = 120  # keep the error one readable line even for garbage input
# Stands in for an allowed special-use suffix while the rest is validated: the
# validator refuses special-use names unconditionally (a global list).
_STAND_IN = "special-use-stand-in.com"


class InvalidEmail(ValueError):
    """The text is not a usable e-mail address; the message says why."""


def normalize_email(raw: str, allow_special_use: Iterable[str] = ()) -> str:
    """Validated, lowercased address, so one mailbox never gets two reports.

    Surrounding whitespace is dropped (spreadsheet exports often carry it);
    anything else the validator rejects raises `InvalidEmail`. Special-use
    domains (``.test``, ``.local``, ``.internal`` ...) are refused unless listed
    in `allow_special_use` (callers pass REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS).
    """
    if not isinstance(raw, str):
        raise InvalidEmail(f"invalid email address: expected text, got {type(raw).__name__}")
    candidate = raw.strip()
    if not candidate:
        raise InvalidEmail("invalid email address: it is empty")
    try:
        # No SMTPUTF8: not every mailer backend sends it, so a non-ASCII local
        # part is refused here rather than going `dead` in a run.
        validated = validate_email(candidate, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        allowed = _special_use(candidate, allow_special_use)
        if allowed is not None:
            return allowed
        raise InvalidEmail(f"invalid email address {_shown(raw)}: {_one_line(str(exc))}") from None
    # An internationalized domain is stored as Unicode (one spelling whichever
    # form was typed); `wire_address` gives the IDNA form messages are sent to.
    address = validated.normalized
    local = address.rsplit("@", 1)[0]
    if unsafe := sorted(set(local) & _URL_UNSAFE):
        raise InvalidEmail(
            f"invalid email address {_shown(raw)}: {''.join(unsafe)!r} is not"
            " accepted before the @-sign (it cannot be used in the API's URLs)"
        )
    # The whole address is lowercased on purpose: we treat local parts
    # case-insensitively, as virtually every real mail server does.
    return address.lower()


def _special_use(candidate: str, allowed: Iterable[str]) -> str | None:
    """The normalized address if its domain ends in an allowed suffix and is otherwise valid."""
    local, _, domain = candidate.rpartition("@")
    domain = domain.lower().rstrip(".")
    for suffix in (name.lower().lstrip(".") for name in allowed):
        if suffix and (domain == suffix or domain.endswith("." + suffix)):
            try:
                validated = validate_email(
                    f"{local}@{domain[: -len(suffix)]}{_STAND_IN}", check_deliverability=False
                )
            except EmailNotValidError:
                return None
            normalized = validated.normalized.lower()
            return normalized[: -len(_STAND_IN)] + suffix
    return None


def _shown(raw: str) -> str:
    text = raw if len(raw) <= _MAX_SHOWN else raw[:_MAX_SHOWN] + "..."
    return repr(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def wire_address(email: str) -> str:
    """`email` as it goes into a `To` header and the SMTP envelope: domain IDNA-encoded.

    Local parts are ASCII (normalize_email refuses others), so with the domain
    encoded the address needs no SMTPUTF8 from any backend.
    """
    local, _, domain = email.rpartition("@")
    if domain.isascii():
        return email
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        raise InvalidEmail(
            f"invalid email address {_shown(email)}: the domain cannot be IDNA-encoded"
        ) from None
