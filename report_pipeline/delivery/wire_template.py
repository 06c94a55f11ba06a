"""Per-recipient report messages from one flattened template.

Building an `EmailMessage` parses and folds every header and re-encodes every
part; for a report mailed to thousands only the recipient's headers, greeting
and unsubscribe link differ. The template is the report's message built once
with sentinel values, and a recipient's message replaces them: the same bytes
as building it from scratch, at a fraction of the cost. Whenever a recipient's
values could change how the message is encoded (non-ASCII, long lines, the MIME
boundary), `render` returns None and the caller builds that message the slow,
sure way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import Policy

from markupsafe import escape

SENTINEL_NAME = "Zq7GreetingSentinelZq7"
SENTINEL_ADDRESS = "zq7-recipient@zq7.invalid"
SENTINEL_URL = "https://zq7.invalid/unsubscribe?token=zq7sentinel"
SENTINEL_MAILTO = "mailto:zq7@zq7.invalid?subject=zq7sentinel"
_SLOTS = re.compile(b"|".join(re.escape(s.encode()) for s in (SENTINEL_NAME, SENTINEL_URL)))
_VARYING = (b"to", b"message-id", b"list-unsubscribe")
_MAX_GREETING = 300  # keeps the greeting line far below the 998-octet line limit
_MAX_LINE = 998


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str | None  # display name, already cleaned
    message_id: str
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None


class WireTemplate:
    """A flattened message built with the sentinels above; see `from_bytes`."""

    def __init__(
        self,
        headers: list[bytes],
        varying: dict[bytes, int],
        segments: list[bytes],
        slots: list[tuple[bytes, bool]],
        boundaries: list[bytes],
        policy: Policy,
    ) -> None:
        self.headers, self.varying = headers, varying
        self.segments, self.slots = segments, slots
        self.boundaries, self.policy = boundaries, policy

    @classmethod
    def from_bytes(cls, flat: bytes, policy: Policy) -> WireTemplate | None:
        """The template of `flat`, or None when its shape is not the one expected."""
        head, separator, body = flat.partition(b"\r\n\r\n")
        headers = head.split(b"\r\n")
        if not separator or any(line[:1] in (b" ", b"\t") for line in headers):
            return None  # a folded header: the sentinels are short, so this is unexpected
        varying = {}
        for index, line in enumerate(headers):
            name = line.partition(b":")[0].strip().lower()
            if name in _VARYING:
                varying[name] = index
        if b"to" not in varying or b"message-id" not in varying:
            return None
        html_start = body.find(b"Content-Type: text/html")
        segments, slots, position = [], [], 0
        for match in _SLOTS.finditer(body):
            segments.append(body[position : match.start()])
            in_html = html_start != -1 and match.start() > html_start
            slots.append((match.group(), in_html))
            position = match.end()
        segments.append(body[position:])
        if SENTINEL_NAME.encode() not in {slot for slot, _ in slots}:
            return None
        if SENTINEL_ADDRESS.encode() in body or SENTINEL_MAILTO.encode() in body:
            return None  # only expected in the headers, which are rebuilt per recipient
        boundaries = re.findall(rb'boundary="([^"]+)"', flat)
        return cls(headers, varying, segments, slots, boundaries, policy)

    def render(self, recipient: Recipient) -> bytes | None:
        """The recipient's message bytes, or None when it must be built the slow way."""
        greeting = recipient.name or recipient.address
        values = [
            greeting,
            recipient.address,
            recipient.message_id,
            recipient.unsubscribe_url or "",
            recipient.unsubscribe_mailto or "",
        ]
        if not self._safe(values, greeting):
            return None
        if (recipient.unsubscribe_url is None) != (b"list-unsubscribe" not in self.varying):
            return None
        headers = list(self.headers)
        headers[self.varying[b"to"]] = self._fold(
            "To", str(Address(display_name=recipient.name or "", addr_spec=recipient.address))
        )
        headers[self.varying[b"message-id"]] = self._fold("Message-ID", recipient.message_id)
        if b"list-unsubscribe" in self.varying:
            links = [recipient.unsubscribe_url, recipient.unsubscribe_mailto]
            headers[self.varying[b"list-unsubscribe"]] = self._fold(
                "List-Unsubscribe", ", ".join(f"<{link}>" for link in links if link)
            )
        body = self._body(greeting, recipient.unsubscribe_url or "")
        if any(len(line) > _MAX_LINE for line in body.split(b"\r\n")):
            return None
        return b"\r\n".join(headers) + b"\r\n\r\n" + body

    def _safe(self, values: list[str], greeting: str) -> bool:
        if len(greeting) > _MAX_GREETING:
            return False
        for value in values:
            if not value.isascii() or "\r" in value or "\n" in value:
                return False
            if any(boundary.decode() in value for boundary in self.boundaries):
                return False
        return True

    def _fold(self, name: str, value: str) -> bytes:
        return self.policy.fold_binary(name, value).rstrip(b"\r\n")

    def _body(self, greeting: str, url: str) -> bytes:
        text = {SENTINEL_NAME.encode(): greeting, SENTINEL_URL.encode(): url}
        parts = [self.segments[0]]
        for (slot, in_html), segment in zip(self.slots, self.segments[1:], strict=False):
            value = text[slot]
            parts.append((str(escape(value)) if in_html else value).encode("ascii"))
            parts.append(segment)
        return b"".join(parts)
