"""Subscriber e-mail addresses: one canonical spelling per mailbox."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

_MAX_SHOWN = 120  # keep the error one readable line even for garbage input


class InvalidEmail(ValueError):
    """The text is not a usable e-mail address; the message says why."""


def normalize_email(raw: str) -> str:
    """Validated, lowercased address, so one mailbox never gets two reports.

    Surrounding whitespace is dropped (spreadsheet exports often carry it);
    anything else the validator rejects raises `InvalidEmail`.
    """
    if not isinstance(raw, str):
        raise InvalidEmail(f"invalid email address: expected text, got {type(raw).__name__}")
    candidate = raw.strip()
    if not candidate:
        raise InvalidEmail("invalid email address: it is empty")
    try:
        validated = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"invalid email address {_shown(raw)}: {_one_line(str(exc))}") from None
    # The whole address is lowercased on purpose: we treat local parts
    # case-insensitively, as virtually every real mail server does.
    return validated.normalized.lower()


def _shown(raw: str) -> str:
    text = raw if len(raw) <= _MAX_SHOWN else raw[:_MAX_SHOWN] + "..."
    return repr(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())
