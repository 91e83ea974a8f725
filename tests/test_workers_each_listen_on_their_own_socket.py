"""`hub serve --workers N` (hub/serving.py): each worker listens on its own socket in the port's SO_REUSEPORT
group, so the kernel spreads new connections over the workers instead of the first one awake taking a whole
burst of keep-alive connections from one shared socket. The socket the supervisor holds never listens, so
no connection is left waiting on it. (The whole `hub serve --workers 2` runs in tests/test_bench_scripts_run.py.)"""

from __future__ import annotations

import socket

import pytest

from hub.serving import REUSE_PORT, reuse_port_socket

pytestmark = pytest.mark.skipif(REUSE_PORT is None, reason="no SO_REUSEPORT on this platform")


def test_connections_spread_over_the_workers_sockets_and_never_wait_on_the_holder() -> None:
    holder = reuse_port_socket("127.0.0.1", 0)
    port = holder.getsockname()[1]
    workers = [reuse_port_socket("127.0.0.1", port) for _ in range(2)]
    for worker in workers:
        worker.listen(64)
        worker.setblocking(False)
    clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(48)]
    try:
        accepted = []
        for worker in workers:
            count = 0
            while True:
                try:
                    connection, _ = worker.accept()
                except BlockingIOError:
                    break
                connection.close()
                count += 1
            accepted.append(count)
        assert sum(accepted) == len(clients)  # every connection reached a worker, none the holder
        assert min(accepted) >= 8, accepted  # spread by the kernel's hash (48 connections: ~24 each)
    finally:
        for sock in (*clients, *workers, holder):
            sock.close()
