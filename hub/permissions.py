"""One permission resolver for every action and every list (R1): plugins contribute rules, the core decides.

A `Rule` admits one level to one action when its `check` holds for the target (the jurisdiction
test). A `ReadScope` gives, for one entity and one level, the SQL filter of the rows that level
may read, so lists are filtered in the query and never after loading.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, or_, true
from sqlalchemy.sql.elements import ColumnElement, True_

from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.i18n import N_, _

Target = Mapping[str, Any]
OFFICES = {  # an office level as a refusal names it
    OfficeLevel.NATIONAL: N_("national"),
    OfficeLevel.PROVINCIAL: N_("provincial"),
    OfficeLevel.COUNTY: N_("county"),
    OfficeLevel.SCHOOL: N_("school"),
    OfficeLevel.VOLUNTEER: N_("volunteer"),
}


def everywhere(_actor: Actor, _target: Target) -> bool:
    """A check for offices whose jurisdiction is the whole country."""
    return True


@dataclass(frozen=True)
class Rule:
    """Allows `level` to perform `action` when `check(actor, target)` holds; `describes` says on what (a
    msgid of the catalogue, marked with `N_`: a refusal shows it in the caller's language)."""

    action: str
    level: OfficeLevel
    check: Callable[[Actor, Target], bool] = everywhere
    describes: str = N_("anywhere")
    source: str = "core"


@dataclass(frozen=True)
class ReadScope:
    """Rows of `entity` that actors of `level` may read: `where(actor)` is a SQL condition."""

    entity: str
    level: OfficeLevel
    where: Callable[[Actor], ColumnElement[bool]]
    source: str = "core"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    source: str | None = None


@dataclass
class Permissions:
    """The resolver: every rule and scope of the core and the enabled plugins, indexed once."""

    rules: dict[str, list[Rule]] = field(default_factory=lambda: defaultdict(list))
    scopes: dict[tuple[str, OfficeLevel], list[ReadScope]] = field(default_factory=lambda: defaultdict(list))

    def add_rules(self, rules: Iterable[Rule], source: str) -> None:
        for rule in rules:
            self.rules[rule.action].append(_with_source(rule, source))

    def add_scopes(self, scopes: Iterable[ReadScope], source: str) -> None:
        for scope in scopes:
            self.scopes[(scope.entity, scope.level)].append(_with_source(scope, source))

    def decide(self, actor: Actor | None, action: str, target: Target | None = None) -> Decision:
        """Whether `actor` may perform `action` on `target`, and why (shown on refusal, in the language of
        the request)."""
        if actor is None:
            return Decision(False, _("{action} needs a token", action=action))
        rules = self.rules.get(action, [])
        if not rules:
            return Decision(False, _("no enabled plugin offers {action}", action=action))
        own_level = [r for r in rules if r.level == actor.level]
        if not own_level:
            levels = _(" or ").join(_(OFFICES[level]) for level in sorted({r.level for r in rules}, key=_office_order))
            office = _(OFFICES[actor.level])
            return Decision(
                False,
                _("{action} is for the {levels} office, not {office}", action=action, levels=levels, office=office),
            )
        for rule in own_level:
            if rule.check(actor, target or {}):
                return Decision(
                    True, _("allowed by {source}: {rule}", source=rule.source, rule=_(rule.describes)), rule.source
                )
        limits = _("; ").join(_(r.describes) for r in own_level)
        return Decision(
            False,
            _("{action} is outside your jurisdiction ({limits})", action=action, limits=limits),
            own_level[0].source,
        )

    def visible(self, actor: Actor | None, entity: str) -> ColumnElement[bool]:
        """SQL filter of the `entity` rows `actor` may read; false when no scope admits the actor's level."""
        if actor is None:
            return false()
        scopes = self.scopes.get((entity, actor.level), [])
        if not scopes:
            return false()
        clauses = [scope.where(actor) for scope in scopes]
        if any(isinstance(c, True_) for c in clauses):
            return true()
        return or_(*clauses) if len(clauses) > 1 else clauses[0]

    def can_read(self, actor: Actor | None, entity: str) -> bool:
        """Whether the actor's level has any scope at all on `entity`."""
        return actor is not None and bool(self.scopes.get((entity, actor.level)))


def _office_order(level: OfficeLevel) -> str:
    return level.value.lower()  # the levels of a refusal in a stable order


def _with_source(item: Any, source: str) -> Any:
    return type(item)(**{**item.__dict__, "source": source})
