"""The one path of every mutation: authenticate → authorize → domain rules → write + audit in one
transaction → events after commit. A refusal at any step writes nothing (R1, R42).

A mutation is declared by its rule alone (`@mutation`): the operation's name is the GraphQL field's, its
payload is the rule's return type, and the path refuses to commit unless the rule asked for permission
(`unit.authorize`), the way Saleor's BaseMutation checks `Meta.permissions` before `perform_mutation`."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import strawberry
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Actor
from hub.enums import Milestone, UserErrorCode
from hub.errors import DomainRefusal, Problem, forbidden, refusal, refuse, unauthenticated
from hub.i18n import _
from hub.ids import int_key
from hub.outbox import write_entry_and_event
from hub.permissions import Decision, Target
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
    decisions: list[Decision] = field(default_factory=list)

    def authorize(self, target: Target | None = None, action: str | None = None) -> None:
        """R1: refuse (FORBIDDEN) unless an enabled rule admits the actor to this action on `target`.
        Every decision is kept: the unit commits only when at least one was made and none refused."""
        decision = self.hub.permissions.decide(self.actor, action or self.operation, target)
        self.decisions.append(decision)
        if not decision.allowed:
            raise forbidden(decision.reason)

    @property
    def authorized(self) -> bool:
        """Whether permission was decided, and granted every time it was asked."""
        return bool(self.decisions) and all(d.allowed for d in self.decisions)

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
            raise refuse(
                UserErrorCode.NOT_FOUND, _("no {kind} has the id {id!r}", kind=model.__name__, id=global_id), *field
            )
        return row

    async def require_year(self, year: str, *field: str) -> dict[Milestone, date]:
        """The timeline of `year`; NOT_FOUND (at `field`, by default input.year) when there is no such year."""
        timeline = await self.hub.timeline(self.session, year)
        if timeline is None:
            raise refuse(
                UserErrorCode.NOT_FOUND, _("there is no program year {year}", year=year), *(field or ("input", "year"))
            )
        return timeline

    async def ensure_open(self, year: str, milestone: Milestone) -> None:
        """R7: DEADLINE_PASSED after the milestone of `year` (as stored, extensions included)."""
        ensure_open(await self.require_year(year), milestone, self.hub.clock.today(), year)


MutationRule = Callable[..., Awaitable[Any]]  # async (unit, **the field's arguments) -> its payload


def mutation(rule: MutationRule | None = None, /, **options: Any) -> Any:
    """Declare a mutation by its rule: `async def sign_off_application(unit: Unit, input: X) -> XPayload`.

    The result is a strawberry mutation field whose arguments are the rule's after `unit`. The field's GraphQL
    name (`signOffApplication`, or `name=`) is the operation: the action the permission rules name and the
    audit entry's operation (R42). The rule runs inside `perform`; refused, the payload (its return type)
    comes back with its object null or its list empty and its userErrors filled. `options` go to
    `strawberry.mutation` (description=, name=, ...)."""

    def declare(rule: MutationRule) -> Any:
        signature = inspect.signature(rule)
        unit, *arguments = signature.parameters.values()
        if unit.name != "unit":
            raise TypeError(f"{rule.__qualname__}: a mutation's rule takes the Unit first, as `unit`")

        async def resolve(info: strawberry.Info, **kwargs: Any) -> Any:
            return await perform(info, functools.partial(rule, **kwargs))

        functools.update_wrapper(resolve, rule)  # its name and module: strawberry reads annotations there
        resolve.rule = rule  # type: ignore[attr-defined]  # what tests/test_every_mutation_takes_the_path.py looks for
        info = inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=strawberry.Info)
        resolve.__signature__ = signature.replace(parameters=[info, *arguments])  # type: ignore[attr-defined]
        resolve.__annotations__ = {
            **{p.name: p.annotation for p in arguments if p.annotation is not inspect.Parameter.empty},
            "info": strawberry.Info,
            "return": signature.return_annotation,
        }
        return strawberry.mutation(resolve, **options)

    return declare if rule is None else declare(rule)


async def perform(
    info: Any,
    work: Callable[[Unit], Awaitable[T]],
    refused: Callable[[list[Problem]], T] | None = None,
) -> T:
    """Run `work` for the resolver's caller in one transaction, as the operation named by the field being
    resolved; on DomainRefusal roll back and return `refused(problems)` (by default the field's payload,
    empty, with its userErrors). Nothing commits unless `work` asked for permission (`unit.authorize`)."""
    operation = info.field_name
    if refused is None:
        refused = functools.partial(refusal, info.return_type)
    hub, actor, auth_error = info.context.hub, info.context.actor, info.context.auth_error
    if auth_error:
        raise unauthenticated(auth_error)
    if actor is None:
        raise unauthenticated(_("{what} needs a token", what=operation))
    # An import's chunks share one transaction (the context's `transaction`): each runs in a savepoint,
    # its events wait for the import's commit (hub/exchange/imports.py).
    shared = getattr(info.context, "transaction", None)
    async with contextlib.nullcontext(shared) if shared is not None else hub.write_sessionmaker() as session:
        unit = Unit(hub=hub, actor=actor, operation=operation, session=session)
        try:
            async with session.begin_nested() if shared is not None else session.begin():
                result = await work(unit)
                if not unit.authorized:
                    # A rule that never asked (or swallowed a refusal) is a bug of the rule: fail closed (R1).
                    log.error("%s tried to commit without a permission decision; rolled back", operation)
                    raise forbidden(
                        _(
                            "{operation} was not authorized: no permission was decided, nothing was written",
                            operation=operation,
                        )
                    )
                # the audit entry and the outbox's event (issue 16): both commit with the change
                await write_entry_and_event(unit, hub.clock.now())
                if getattr(info.context, "rehearsal", False):
                    raise Rehearsed(result)
        except Rehearsed as rehearsed:
            return rehearsed.result  # every rule ran, nothing was kept, no event
        except DomainRefusal as domain:
            return refused(domain.problems)
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
    hub.after_commit([event])  # wake-ups and listeners; a listener's failure is logged, never raised here
    return result


def _data_exception(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(code, str) and code.startswith("22")


class Rehearsed(Exception):
    """Rolls back a rehearsal (an import's --dry-run): the whole path ran, the transaction is not kept."""

    def __init__(self, result: Any) -> None:
        super().__init__("rehearsal")
        self.result = result
