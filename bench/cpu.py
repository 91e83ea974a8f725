"""Where the CPU of a measurement went, from /proc (Linux): each process of a server (its process group:
uvicorn's supervisor and workers, `hub serve`'s), the PostgreSQL backends connected to the bench database
(their process titles name it), and the whole machine — so that on 2 shared cores the ceiling shows:
the server, the database or the client, or other work on the machine.

A snapshot before the load, and (`Sampler`) snapshots every 0.2 s during it: backends that start during it
count from zero, backends that end during it (a pool's overflow connections) up to their last sample.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PARALLEL_WORKER = "postgres: parallel worker for PID "
PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(process group, user + system CPU seconds, system CPU seconds) of `pid`, None once it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS, int(fields[12]) / TICKS


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]


def _machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat's first line)."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class Snapshot:
    """CPU seconds so far of each server process (by pid) and each database backend (by pid)."""

    server: dict[int, float] = field(default_factory=dict)
    server_system: dict[int, float] = field(default_factory=dict)
    backends: dict[int, float] = field(default_factory=dict)
    busy: float = 0.0
    total: float = 0.0


def snapshot(server_group: int | None, database: str) -> Snapshot:
    """The CPU so far of the processes in `server_group` and of the backends of `database`, with the parallel
    workers those backends started (their title names the leader's pid, not the database)."""
    taken = Snapshot()
    title = f" {database} "
    workers: dict[int, tuple[int, float]] = {}
    for pid in _pids():
        stat = _stat(pid)
        if stat is None:
            continue
        group, seconds, system = stat
        if server_group is not None and group == server_group:
            taken.server[pid], taken.server_system[pid] = seconds, system
            continue
        command = _cmdline(pid)
        if command.startswith("postgres: ") and title in command:
            taken.backends[pid] = seconds
        elif command.startswith(PARALLEL_WORKER) and command[len(PARALLEL_WORKER) :].split()[0].isdigit():
            workers[pid] = (int(command[len(PARALLEL_WORKER) :].split()[0]), seconds)
    for pid, (leader, seconds) in workers.items():
        if leader in taken.backends:
            taken.backends[pid] = seconds
    taken.busy, taken.total = _machine()
    return taken


class Sampler:
    """Snapshots every `interval` seconds in a thread while the load runs, keeping each process's latest
    figure: a backend that ends during the load (an overflow connection of a pool closed on its return)
    still counts up to its last sample."""

    def __init__(self, server_group: int | None, database: str, interval: float = 0.2) -> None:
        self.server_group, self.database, self.interval = server_group, database, interval
        self.seen = Snapshot()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._merge(snapshot(self.server_group, self.database))

    def _merge(self, taken: Snapshot) -> None:
        self.seen.server.update(taken.server)
        self.seen.server_system.update(taken.server_system)
        self.seen.backends.update(taken.backends)
        self.seen.busy, self.seen.total = taken.busy, taken.total

    def __enter__(self) -> Sampler:
        self.before = snapshot(self.server_group, self.database)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._merge(snapshot(self.server_group, self.database))

    def used(self, requests: int, client_seconds: float) -> dict[str, object]:
        return used(self.before, self.seen, requests, client_seconds)


def used(before: Snapshot, after: Snapshot, requests: int, client_seconds: float) -> dict[str, object]:
    """CPU ms per request of each server process, of the database's backends together, of the client, and
    how busy the machine's cores were (1.0: every core all the time, whoever used them)."""
    per = max(requests, 1)
    processes = {
        str(pid): round((seconds - before.server.get(pid, 0.0)) * 1000 / per, 3)
        for pid, seconds in sorted(after.server.items())
    }
    processes = {pid: ms for pid, ms in processes.items() if ms > 0}
    system = sum(seconds - before.server_system.get(pid, 0.0) for pid, seconds in after.server_system.items())
    backends = sum(seconds - before.backends.get(pid, 0.0) for pid, seconds in after.backends.items())
    wall_cores = after.total - before.total
    return {
        "server_ms_per_req": round(sum(processes.values()), 3),
        "server_processes_ms_per_req": processes,
        "server_system_ms_per_req": round(system * 1000 / per, 3),  # in the kernel: sockets, mostly
        "postgres_ms_per_req": round(backends * 1000 / per, 3),
        "postgres_backends": len(after.backends),
        "client_ms_per_req": round(client_seconds * 1000 / per, 3),
        "machine_busy": round((after.busy - before.busy) / wall_cores, 3) if wall_cores > 0 else None,
    }
