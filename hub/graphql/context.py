"""What every resolver receives as `info.context`: the hub, the caller and the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from hub.auth import Actor
from hub.errors import forbidden, unauthenticated
from hub.graphql.loaders import Loaders
from hub.i18n import _
from hub.permissions import OFFICES


@dataclass
class HubContext:
    hub: Any
    actor: Actor | None
    auth_error: str | None
    loaders: Loaders
    request: Any = None
    response: Any = None
    memo: dict[Any, Any] = field(default_factory=dict)
    planned: bool = False  # answered by the read planner (hub.graphql.planner), not the executor
    plan_failed: bool = False  # its planned statement failed once: the executor answers, no second try
    rehearsal: bool = False  # mutations run every step, then roll back (imports' --dry-run, hub/exchange)
    transaction: Any = None  # a session whose transaction mutations join (one import, hub/exchange/imports.py)
    events: list[Any] = field(default_factory=list)  # their events, emitted when that transaction commits

    def require_actor(self, what: str = "this field") -> Actor:
        """The authenticated caller; UNAUTHENTICATED for a bad token or none."""
        if self.auth_error:
            raise unauthenticated(self.auth_error)
        if self.actor is None:
            raise unauthenticated(_("{what} needs a token", what=what))
        return self.actor

    def check_public(self) -> None:
        """Public fields ignore a missing token, but a bad one is still refused."""
        if self.auth_error:
            raise unauthenticated(self.auth_error)

    def require_scope(self, entity: str, what: str) -> Actor:
        """The caller, refused (FORBIDDEN) when no enabled rule lets their level read `entity` at all."""
        actor = self.require_actor(what)
        if not self.hub.permissions.can_read(actor, entity):
            raise forbidden(_("a {office} office may not read {what}", office=_(OFFICES[actor.level]), what=what))
        return actor


Info = StrawberryInfo[HubContext, None]
