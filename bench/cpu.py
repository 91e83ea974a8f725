"""Where the CPU of a measurement went, from /proc (Linux): each process of a server (its process group:
uvicorn's supervisor and workers, `hub serve`'s), the PostgreSQL backends connected to the bench database
(their process titles name it), and the whole machine — so that on 2 shared cores the ceiling shows:
the server, the database or the client, or other work on the machine.

A snapshot before and one after the load; backends that start during it count from zero, backends that
end during it are lost (the servers' pools keep theirs open until they stop, which is after the snapshot).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, float] | None:
    """(process group, user + system CPU seconds) of `pid`, None once it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS


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
    backends: dict[int, float] = field(default_factory=dict)
    busy: float = 0.0
    total: float = 0.0


def snapshot(server_group: int | None, database: str) -> Snapshot:
    """The CPU so far of the processes in `server_group` and of the backends of `database`."""
    taken = Snapshot()
    title = f" {database} "
    for pid in _pids():
        stat = _stat(pid)
        if stat is None:
            continue
        group, seconds = stat
        if server_group is not None and group == server_group:
            taken.server[pid] = seconds
        elif _cmdline(pid).startswith("postgres: ") and title in _cmdline(pid):
            taken.backends[pid] = seconds
    taken.busy, taken.total = _machine()
    return taken


def used(before: Snapshot, after: Snapshot, requests: int, client_seconds: float) -> dict[str, object]:
    """CPU ms per request of each server process, of the database's backends together, of the client, and
    how busy the machine's cores were (1.0: every core all the time, whoever used them)."""
    per = max(requests, 1)
    processes = {
        str(pid): round((seconds - before.server.get(pid, 0.0)) * 1000 / per, 3)
        for pid, seconds in sorted(after.server.items())
    }
    processes = {pid: ms for pid, ms in processes.items() if ms > 0}
    backends = sum(seconds - before.backends.get(pid, 0.0) for pid, seconds in after.backends.items())
    wall_cores = after.total - before.total
    return {
        "server_ms_per_req": round(sum(processes.values()), 3),
        "server_processes_ms_per_req": processes,
        "postgres_ms_per_req": round(backends * 1000 / per, 3),
        "postgres_backends": len(after.backends),
        "client_ms_per_req": round(client_seconds * 1000 / per, 3),
        "machine_busy": round((after.busy - before.busy) / wall_cores, 3) if wall_cores > 0 else None,
    }
