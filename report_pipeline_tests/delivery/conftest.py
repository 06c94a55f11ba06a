"""A real SMTP server (aiosmtpd) on 127.0.0.1 for delivery and integration tests.

`smtp_server` yields an `SmtpTestServer`: `host`, `port`, `messages` (every
accepted message, in order), `connections` (sessions opened so far),
`refuse(address, reply)` to answer RCPT TO with e.g. "550 ...",
`drop_connections()` to close every open session from the server side and
`stop()` to take the server away entirely.
`smtp_server_factory(**smtp_kwargs)` starts more servers, e.g. with an
authenticator.

Fault injection: `transient(address, times, reply)` refuses RCPT TO for the
first `times` tries (e.g. 451), `drop_data_every = n` closes every n-th
session at the end of DATA without accepting the message, and the hooks
`on_rcpt(address)` / `on_data(received)` run inside the server (e.g. to SIGKILL
the sender at an exact point of the SMTP dialogue).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from report_pipeline_tests.services import free_port

HOST = "127.0.0.1"


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parser = BytesParser(_class=EmailMessage, policy=policy.default)
        return parser.parsebytes(self.data)


@dataclass
class SmtpTestServer:
    host: str
    port: int
    messages: list[ReceivedMessage] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)
    sessions: list[SMTP] = field(default_factory=list)
    controller: Controller | None = None
    transients: dict[str, list] = field(default_factory=dict)
    drop_data_every: int = 0
    data_commands: int = 0
    on_rcpt: Callable[[str], None] | None = None
    on_data: Callable[[ReceivedMessage], None] | None = None

    def transient(self, address: str, times: int, reply: str = "451 4.3.0 Try again later") -> None:
        """Refuse RCPT TO <address> with `reply` for its first `times` attempts."""
        self.transients[address.lower()] = [times, reply]

    def message_ids(self) -> list[str]:
        return [str(m.message["Message-ID"]) for m in self.messages]

    @property
    def connections(self) -> int:
        return len(self.sessions)

    def stop(self) -> None:
        """Shut the server down; later connection attempts are refused."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def refuse(self, address: str, reply: str) -> None:
        """Answer RCPT TO <address> with `reply`, e.g. "550 5.1.1 No such user"."""
        self.refusals[address.lower()] = reply

    def drop_connections(self) -> None:
        """Close every open session, as a server restart or idle timeout would."""
        assert self.controller is not None and self.controller.loop is not None

        async def close_all() -> None:
            for session in self.sessions:
                if session.transport is not None and not session.transport.is_closing():
                    session.transport.close()
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(close_all(), self.controller.loop).result(timeout=10)


class _Handler:
    def __init__(self, state: SmtpTestServer) -> None:
        self.state = state

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.state.on_rcpt is not None:
            self.state.on_rcpt(address)
        reply = self.state.refusals.get(address.lower())
        if reply is not None:
            return reply
        transient = self.state.transients.get(address.lower())
        if transient is not None and transient[0] > 0:
            transient[0] -= 1
            return transient[1]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.state.data_commands += 1
        every = self.state.drop_data_every
        if every and self.state.data_commands % every == 0 and server.transport is not None:
            server.transport.close()  # the connection dies before the message is accepted
            return "421 4.4.2 Connection dropped"
        received = ReceivedMessage(
            mail_from=str(envelope.mail_from),
            rcpt_tos=list(envelope.rcpt_tos),
            data=bytes(envelope.original_content or envelope.content or b""),
        )
        self.state.messages.append(received)
        if self.state.on_data is not None:
            self.state.on_data(received)  # accepted: whatever happens next, it was delivered
        return "250 Message accepted for delivery"


class _CountingController(Controller):
    """Records each SMTP session so tests can count and drop connections."""

    def __init__(self, state: SmtpTestServer, **kwargs: Any) -> None:
        super().__init__(
            _Handler(state),
            hostname=state.host,
            port=state.port,
            server_hostname="localhost",
            **kwargs,
        )
        self.state = state

    def factory(self) -> SMTP:
        session = super().factory()
        self.state.sessions.append(session)
        return session


def _start(smtp_kwargs: dict[str, Any]) -> SmtpTestServer:
    last_error: Exception | None = None
    for _ in range(5):  # another process may grab the free port in between
        state = SmtpTestServer(host=HOST, port=free_port())
        controller = _CountingController(state, **smtp_kwargs)
        try:
            controller.start()
        except Exception as exc:
            last_error = exc
            with contextlib.suppress(Exception):
                controller.stop(no_assert=True)
            continue
        # start() opens one probe connection of its own; it is not a client's.
        state.sessions.clear()
        state.controller = controller
        return state
    raise RuntimeError(f"could not start the test SMTP server: {last_error}")


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SmtpTestServer]]:
    started: list[SmtpTestServer] = []

    def start(**smtp_kwargs: Any) -> SmtpTestServer:
        server = _start(smtp_kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpTestServer]) -> SmtpTestServer:
    return smtp_server_factory()
