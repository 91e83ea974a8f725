"""The one path of every mutation: authenticate → authorize → domain rules → write + audit in one
transaction → events after commit. A refusal at any step writes nothing (R1, R42)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit import write_entry
from hub.auth import Actor
from hub.enums import Milestone, UserErrorCode
from hub.errors import DomainRefusal, Problem, forbidden, refuse, unauthenticated
from hub.graphql.ids import int_key
from hub.permissions import Target
from hub.rules.deadlines import ensure_open

log = logging.getLogger("hub.mutation")
T = TypeVar("T")
SCOPE_LEVELS = {"province": "PROVINCIAL", "county": "COUNTY", "school": "SCHOOL", "volunteer": "VOLUNTEER"}


@dataclass(frozen=True)
class Event:
    """What `hub_after_commit` receives: an accepted mutation, after its transaction committed."""

    operation: str
    actor: Actor
    target_ids: tuple[str, ...]
    changes: dict[str, Any]


@dataclass
class Unit:
    """One mutation's unit of work: the session of its transaction and what it will audit."""

    hub: Any
    actor: Actor
    operation: str
    session: AsyncSession
    target_ids: list[str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    scopes: set[tuple[str, str]] = field(default_factory=set)
    recorded: set[str] = field(default_factory=set)

    def authorize(self, target: Target | None = None, action: str | None = None) -> None:
        """R1: refuse (FORBIDDEN) unless an enabled rule admits the actor to this action on `target`."""
        decision = self.hub.permissions.decide(self.actor, action or self.operation, target)
        if not decision.allowed:
            raise forbidden(decision.reason)

    def record(self, target_id: str, changes: dict[str, Any] | None = None, **scopes: str | None) -> None:
        """Note a created or changed object for the audit entry, with the jurisdictions it touches
        (`province=`, `county=`, `school=`, `volunteer=` account)."""
        if target_id not in self.recorded:  # a set: batches record thousands of targets
            self.recorded.add(target_id)
            self.target_ids.append(target_id)
        if changes:
            self.changes.setdefault(target_id, {}).update(changes)
        for name, code in scopes.items():
            if code:
                self.scopes.add((SCOPE_LEVELS[name], code))

    async def fetch(self, model: type[T], global_id: str, *field: str) -> T:
        """The row a global id names, locked for this transaction; NOT_FOUND (at `field`) otherwise."""
        key = int_key(global_id, model.__name__)
        row = None if key is None else await self.session.get(model, key, with_for_update=True)
        if row is None:
            raise refuse(UserErrorCode.NOT_FOUND, f"no {model.__name__} has the id {global_id!r}", *field)
        return row

    async def require_year(self, year: str, *field: str) -> dict[Milestone, date]:
        """The timeline of `year`; NOT_FOUND (at `field`, by default input.year) when there is no such year."""
        timeline = await self.hub.timeline(self.session, year)
        if timeline is None:
            raise refuse(UserErrorCode.NOT_FOUND, f"there is no program year {year}", *(field or ("input", "year")))
        return timeline

    async def ensure_open(self, year: str, milestone: Milestone) -> None:
        """R7: DEADLINE_PASSED after the milestone of `year` (as stored, extensions included)."""
        ensure_open(await self.require_year(year), milestone, self.hub.clock.today(), year)


async def perform(
    info: Any,
    operation: str,
    work: Callable[[Unit], Awaitable[T]],
    refused: Callable[[list[Problem]], T],
) -> T:
    """Run `work` for the resolver's caller in one transaction; on DomainRefusal roll back and return
    `refused(problems)`."""
    hub, actor, auth_error = info.context.hub, info.context.actor, info.context.auth_error
    if auth_error:
        raise unauthenticated(auth_error)
    if actor is None:
        raise unauthenticated(f"{operation} needs a token")
    # An import's chunks share one transaction (the context's `transaction`): each runs in a savepoint,
    # its events wait for the import's commit (hub/exchange/imports.py).
    shared = getattr(info.context, "transaction", None)
    async with contextlib.nullcontext(shared) if shared is not None else hub.write_sessionmaker() as session:
        unit = Unit(hub=hub, actor=actor, operation=operation, session=session)
        try:
            async with session.begin_nested() if shared is not None else session.begin():
                result = await work(unit)
                await write_entry(
                    session, actor, operation, hub.clock.now(), unit.target_ids, unit.changes, unit.scopes
                )
                if getattr(info.context, "rehearsal", False):
                    raise Rehearsed(result)
        except Rehearsed as rehearsed:
            return rehearsed.result  # every rule ran, nothing was kept, no event
        except DomainRefusal as refusal:
            return refused(refusal.problems)
        except IntegrityError as exc:
            # The database's own constraints are the last line (unique codes, one active application);
            # the constraint's name and SQL are logged, not shown (docs/security.md).
            log.info("%s refused by a constraint: %s", operation, exc.orig)
            return refused([Problem(UserErrorCode.DUPLICATE, "this would duplicate an existing record")])
        except DBAPIError as exc:
            # A value the database cannot hold (SQLSTATE class 22: out of range, too long) is bad input;
            # anything else (a lost connection) goes on up.
            if not _data_exception(exc):
                raise
            log.info("%s refused by the database: %s", operation, exc.orig)
            return refused([Problem(UserErrorCode.INVALID_INPUT, "a value is out of range for what it describes")])
    event = Event(operation, actor, tuple(unit.target_ids), unit.changes)
    if shared is not None:
        info.context.events.append(event)
        return result
    hub.plugins.emit(event)  # each listener's failure is logged there, never raised into the mutation
    return result


def _data_exception(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(code, str) and code.startswith("22")


class Rehearsed(Exception):
    """Rolls back a rehearsal (an import's --dry-run): the whole path ran, the transaction is not kept."""

    def __init__(self, result: Any) -> None:
        super().__init__("rehearsal")
        self.result = result
