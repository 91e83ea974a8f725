"""`hub serve --workers N`: N processes, each with its own listening socket on the same port (SO_REUSEPORT),
so that the kernel spreads new connections evenly over them.

uvicorn's supervisor binds one socket and every worker accepts from it: asyncio accepts every pending
connection at once when its socket is readable, so the first worker awake takes most of a burst of new
keep-alive connections and keeps them — in the registration burst (bench/burst.py, 32 connections) one of
two workers served ~90% of the requests and a second process added nothing. With one socket per worker in a
SO_REUSEPORT group the kernel hashes each connection to one of them. The supervisor (restarts, signals,
health checks) stays uvicorn's: only what each worker listens on changes; the socket the supervisor binds
holds the port without listening, so no connection waits on it.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

REUSE_PORT = getattr(socket, "SO_REUSEPORT", None)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port in the port's SO_REUSEPORT group (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, REUSE_PORT, 1)  # type: ignore[arg-type]
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class ReusePortProcess(multiprocess.Process):
    """A uvicorn worker that serves its own SO_REUSEPORT socket instead of the supervisor's."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover (a child process)
        own = reuse_port_socket(self.config.host, self.config.port)
        own.listen(self.config.backlog)
        super().target([own])


def serve_workers(app: str, workers: int, **options: Any) -> None:
    """Run the ASGI app factory `app` in `workers` processes under uvicorn's supervisor, each worker on its
    own SO_REUSEPORT socket (where the platform has none: uvicorn's shared socket, as before)."""
    config = uvicorn.Config(app, workers=workers, **options)
    if REUSE_PORT is None:
        multiprocess.Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    holder = reuse_port_socket(config.host, config.port)  # holds the port; never listens
    multiprocess.Process = ReusePortProcess  # type: ignore[misc]  # the class the supervisor starts workers with
    multiprocess.Multiprocess(config, sockets=[holder]).run()
