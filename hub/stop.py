"""A user's mistake on the command line: the one line printed on stderr and the exit status (hub.cli's
EXIT_CODES), raised by any command (`hub import`, `hub recruitment`, ...) and turned into that by `hub.cli`."""

from __future__ import annotations


class Stop(Exception):
    """A user mistake: the message printed on stderr and the exit status (EXIT_CODES)."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status
