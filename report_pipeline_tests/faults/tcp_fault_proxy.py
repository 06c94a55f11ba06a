"""A TCP proxy that cuts a few connections mid-session: a database that drops clients.

Each accepted connection is piped to the upstream server. While armed, a
connection is cut (both sides closed, like a reset or a failover) once its
client has sent more than `cut_after` bytes, until `budget` cuts are spent.
The budget keeps the test deterministic: fewer cuts than any step has retries.
"""

from __future__ import annotations

import socket
import threading


class TcpFaultProxy:
    def __init__(self, upstream: tuple[str, int], cut_after: int = 600, budget: int = 2) -> None:
        self.upstream = upstream
        self.cut_after = cut_after
        self.budget = budget
        self.cuts = 0
        self.armed = False
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                sent += len(data)
                if from_client and sent > self.cut_after and self._take_cut():
                    break
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _take_cut(self) -> bool:
        with self.lock:
            if not self.armed or self.cuts >= self.budget:
                return False
            self.cuts += 1
            return True

    def close(self) -> None:
        self.listener.close()
