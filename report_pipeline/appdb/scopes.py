"""Report scopes: one customer id, or `all` (the internal view of every customer).

A customer's report and email mention no other customer; `all` is today's
report. Customer ids come from object keys and from people, so they are
checked here before anything is written.
"""

from __future__ import annotations

import re

ALL = "all"
MAX_CUSTOMER_CHARS = 64
_CUSTOMER = re.compile(r"[A-Za-z0-9._-]{1,64}")


class InvalidCustomer(ValueError):
    pass


def validate_customer(text: str) -> str:
    """The customer id as given, or InvalidCustomer saying what is allowed."""
    if not _CUSTOMER.fullmatch(text or "") or text in (".", ".."):
        raise InvalidCustomer(
            f"invalid customer id {text!r}: use letters, digits, '-', '_' and '.' only,"
            f" at most {MAX_CUSTOMER_CHARS} characters"
        )
    return text


def validate_scope(text: str | None) -> str:
    """`all` (also for None) or a valid customer id."""
    if text is None or text == ALL:
        return ALL
    return validate_customer(text)
