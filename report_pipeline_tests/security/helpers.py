"""Raw-socket attack helpers and small probes shared by the security tests."""

from __future__ import annotations

import select
import socket
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy import select as sql_select

from report_pipeline.appdb.schema import AuditEntry
from report_pipeline.appdb.store import AppStore


def audit_count(store: AppStore) -> int:
    with store.session() as session:
        return session.scalar(sql_select(func.count()).select_from(AuditEntry))


def _status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else 0


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def post_raw(
    url: str,
    path: str,
    total: int,
    *,
    chunked: bool,
    chunk: int = 256 * 1024,
    headers: dict[str, str] | None = None,
) -> tuple[int, int]:
    """POST `total` bytes; stop sending once the server answers. -> (status, bytes sent)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    head = [f"POST {path} HTTP/1.1", f"Host: {parts.hostname}", "Content-Type: application/json"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    sent = 0
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        block = b"[" * chunk
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered: an attacker would stop here too
            piece = block[: min(chunk, total - sent)]
            try:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        return _status_of(_read_response(sock)), sent
    finally:
        sock.close()
