"""Redis that fails the way it does in production, on loopback: *hung* (a TCP server that
accepts connections and never answers, as a Redis stopped with SIGSTOP or behind a dead NAT),
*down* (a port nobody listens on, so connecting is refused at once), and a real Redis that hangs
and comes back at the same address (``RedisProxy``, for the integration tests)."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit


class _LoopbackServer:
    """A TCP server on a free port of 127.0.0.1, accepting in a thread until the ``with`` ends;
    each connection goes to ``_handle``, and ``_close`` closes what is still open."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name=f"{type(self).__name__}-{self.port}", daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()
        self._close()


class HungRedis(_LoopbackServer):
    """Accepts every connection and keeps it open without reading or answering a byte.

    ``with HungRedis() as hung: hung.url`` — a ``redis://`` URL on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        super().__init__()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted = 0  # connections made to it: a client that skips Redis makes none
        self._held: list[socket.socket] = []

    def _handle(self, conn: socket.socket) -> None:
        self._held.append(conn)
        self.accepted += 1

    def _close(self) -> None:
        for conn in self._held:
            conn.close()


def closed_port_url() -> str:
    """A ``redis://`` URL on a loopback port that was free a moment ago: connecting is refused,
    as when Redis is down. A fresh port per test keeps each test's circuit breaker its own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


class RedisProxy(_LoopbackServer):
    """Forwards a loopback port to a real Redis until ``hang()``; from then on it accepts
    connections and delivers nothing either way (a Redis stopped with SIGSTOP). ``resume()``
    forwards again; the connections of the hang are closed, so clients reconnect.

    ``with RedisProxy("redis://127.0.0.1:6379/11") as proxy: proxy.url`` — same database."""

    def __init__(self, target_url: str) -> None:
        super().__init__()
        target = urlsplit(target_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 6379)
        self.url = f"redis://127.0.0.1:{self.port}{target.path or '/0'}"
        self._hung = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    def hang(self) -> None:
        self._hung.set()

    def resume(self) -> None:
        with self._lock:
            stale, self._sockets = self._sockets, []
            self._hung.clear()
        for sock in stale:
            sock.close()

    def _handle(self, client: socket.socket) -> None:
        with self._lock:
            self._sockets.append(client)
            if self._hung.is_set():
                return  # held open, never answered
        try:
            upstream = socket.create_connection(self._target, timeout=2)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.append(upstream)
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if not self._hung.is_set():  # while hung, everything is swallowed
                    dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _close(self) -> None:
        self.resume()
