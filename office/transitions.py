"""Declared transitions: each app states, as data, which action may be taken in which state,
by whom, and what it leads to (ARCHITECTURE.md "One shared core, apps that declare").

    TRANSITIONS = Transitions(
        "petitions.petition",
        [
            Step("decide", [S.REGISTERED], may=perm("petitions.decide_petition", "信访专员"),
                 to=[S.ACCEPTED, S.REJECTED, ...]),
            ...
        ],
        lock=lambda p: Petition.objects.select_for_update(of=("self",)).get(pk=p.pk),
    )

Services check against the table — `TRANSITIONS.require(by, "decide")` before anything else
(PermissionDenied, 403) and `with TRANSITIONS.locked(obj, "decide") as obj:` for the row lock
and the state (TransitionError after the lock, so two people cannot both act) — views and
templates ask `TRANSITIONS.offered(user, obj)` which actions to show, tests iterate over
`TRANSITIONS.steps`, and the README's table is `TRANSITIONS.markdown()`. One helper replaces
each app's own lock / state / permission preamble.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from office.services import TransitionError


@dataclass(frozen=True)
class Who:
    """Who may take a step: a label for people (the README's table) and the test."""

    label: str
    test: Callable  # (user) -> bool

    def __call__(self, user) -> bool:
        return user is not None and getattr(user, "is_authenticated", False) and self.test(user)


def perm(codename: str, label: str) -> Who:
    """Holders of a model permission (a role grants it: office.roles)."""
    return Who(label, lambda user: user.has_perm(codename))


def role(name: str, label: str | None = None) -> Who:
    """Members of a role (office.roles.Role — the constant, never the display text in code)."""

    def test(user) -> bool:
        cache = user.__dict__.setdefault("_zb_roles", {})
        if name not in cache:
            cache[name] = user.groups.filter(name=name).exists()
        return cache[name]

    return Who(label or name, test)


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    may: Who
    to: tuple[str, ...]  # the states it can lead to (the source itself: the state stays)
    note: str = ""
    denied: str = ""  # the refusal for who may not (else the table's)

    def __init__(self, action, sources, *, may: Who, to=(), note: str = "", denied=""):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", tuple(sources))
        object.__setattr__(self, "may", may)
        object.__setattr__(self, "to", tuple(to) or tuple(sources))
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "denied", denied)


@dataclass
class Transitions:
    model: str  # "app_label.model"
    steps: list[Step]
    lock: Callable  # obj -> the same row, locked (select_for_update) in the open transaction
    state_of: Callable = field(default=lambda obj: obj.state)
    denied: str = ""  # the message of a refused permission
    stale: str = ""  # the message of a step the state no longer allows

    def __post_init__(self):
        self._by_action: dict[str, list[Step]] = {}
        for step in self.steps:
            self._by_action.setdefault(step.action, []).append(step)
        _TABLES[self.model] = self

    # --- the questions ---------------------------------------------------------------------
    def actions(self) -> list[str]:
        return list(self._by_action)

    def step(self, action: str) -> list[Step]:
        if action not in self._by_action:
            raise KeyError(f"{self.model}: no transition named {action!r}")
        return self._by_action[action]

    def may_take(self, user, action: str) -> bool:
        """Is `user` among who may take this action (in some state)?"""
        return any(s.may(user) for s in self.step(action))

    def allows(self, state: str, action: str) -> bool:
        return any(state in s.sources for s in self.step(action))

    def may(self, user, obj, action: str) -> bool:
        """May this person take this action on this object now?"""
        state = self.state_of(obj)
        return any(state in s.sources and s.may(user) for s in self.step(action))

    def offered(self, user, obj) -> dict[str, bool]:
        """Every action, and whether this person may take it now: what a page offers."""
        return {action: self.may(user, obj, action) for action in self._by_action}

    def targets(self, state: str, action: str) -> tuple[str, ...]:
        return next((s.to for s in self.step(action) if state in s.sources), ())

    # --- the checks the services make ------------------------------------------------------
    def require(self, user, action: str) -> None:
        """PermissionDenied (403) unless `user` is among who may take the action."""
        if not self.may_take(user, action):
            message = next((s.denied for s in self.step(action) if s.denied), self.denied)
            raise PermissionDenied(str(message) if message else None)

    def require_state(self, obj, action: str) -> None:
        if not self.allows(self.state_of(obj), action):
            raise TransitionError(str(self.stale))

    @contextmanager
    def locked(self, obj, action: str) -> Iterator:
        """A transaction with the object's row locked and its state checked for `action`."""
        with transaction.atomic():
            row = self.lock(obj)
            self.require_state(row, action)
            yield row

    # --- the README ------------------------------------------------------------------------
    def markdown(self, labels: Callable[[str], str] = str) -> str:
        lines = ["| state | action | who may | next state |", "|---|---|---|---|"]
        for s in self.steps:
            lines.append(
                f"| {', '.join(labels(x) for x in s.sources)} | {s.action} | {s.may.label} | "
                f"{' / '.join(labels(x) for x in s.to)}{f' ({s.note})' if s.note else ''} |"
            )
        return "\n".join(lines)


_TABLES: dict[str, Transitions] = {}


def tables() -> Iterable[Transitions]:
    """Every declared table (an app's transitions module registers it on import)."""
    return list(_TABLES.values())
