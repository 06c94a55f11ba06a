"""A real SMTP server (aiosmtpd) that misbehaves the way mail servers do.

`SmtpSink` counts what it accepted (recipient, Message-ID) and, per fault:
`die_after = n` accepts n messages, then the process is gone (sessions cut,
port closed) until `start()` again on the same port; `busy = (k, reply)`
answers DATA with `reply` (e.g. 451, or 421 and hang up) for the first k
messages; `slow = (k, seconds)` accepts the first k messages but answers 250
only after `seconds`, so a client with a shorter timeout gives up on a
message the server already holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from email import message_from_bytes

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from report_pipeline_tests.services import free_port

HOST = "127.0.0.1"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.accepted: list[tuple[str, str]] = []  # (recipient, Message-ID), in order
        self.data_commands = 0
        self.refused = 0
        self.die_after = 0
        self.busy: tuple[int, str] | None = None
        self.slow: tuple[int, float] | None = None
        self.dead = threading.Event()
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        self.dead.clear()
        self.controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        controller, self.controller = self.controller, None
        if controller is not None:
            with contextlib.suppress(Exception):
                controller.stop()

    def per_recipient(self) -> Counter[str]:
        """Copies each recipient holds, duplicates included."""
        return Counter(rcpt for rcpt, _ in self.accepted)

    def per_recipient_deduplicated(self) -> Counter[str]:
        """What each recipient's mail client shows: one per Message-ID."""
        return Counter(rcpt for rcpt, _ in set(self.accepted))

    def duplicates(self) -> int:
        return len(self.accepted) - len(set(self.accepted))

    def _die(self) -> None:
        self.dead.set()
        threading.Thread(target=self.stop, daemon=True).start()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        sink = self.sink
        with sink.lock:
            sink.data_commands += 1
            number = sink.data_commands
        if sink.dead.is_set():  # dying: nothing more is accepted
            _hang_up(server)
            return "421 4.3.2 Service shutting down"
        if sink.busy and number <= sink.busy[0]:
            sink.refused += 1
            if sink.busy[1].startswith("421"):
                _hang_up(server)
            return sink.busy[1]
        message_id = str(message_from_bytes(envelope.original_content or b"")["Message-ID"])
        with sink.lock:
            for rcpt in envelope.rcpt_tos:
                sink.accepted.append((rcpt.lower(), message_id))
            accepted = len(sink.accepted)
        if sink.die_after and accepted >= sink.die_after:
            sink._die()  # this one was accepted; the process goes away after answering
        if sink.slow and accepted <= sink.slow[0]:
            await asyncio.sleep(sink.slow[1])  # held, but the 250 comes late
        return "250 Message accepted for delivery"


def _hang_up(server: SMTP) -> None:
    """Close the session just after the reply is written, as a server that quits does."""
    if server.transport is not None:
        asyncio.get_running_loop().call_later(0.05, server.transport.close)
