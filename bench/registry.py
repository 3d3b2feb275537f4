"""What the benchmarks consist of: seeders (which create data) and pages (which are measured).

A module in `bench/` declares its entries at import time:

    from bench.registry import page, scaled, seeder, url

    @seeder("documents", needs=("staff",))
    def seed_documents(scale: float) -> str:
        target = scaled(200_000, scale)
        have = Document.objects.count()          # the marker: skip what is already there
        if have >= target:
            return f"{have:,} documents present"
        ...                                     # bulk_create the missing ones
        return f"created {target - have:,} documents"

    page("documents: register", url("documents:index"), persona="secretary",
         volume_note="200,000 documents", needs=("documents",),
         rows=lambda: Document.objects.count())

A seeder must be idempotent: it receives the scale (1.0 for the full volume), creates only what
is missing and returns one line for the log. A page lists the seeders it needs; the runner runs
those (and their own `needs`) before measuring.

Work that is not a page (a periodic job, a bulk service call) is a task: a function that receives
`timed`, a context manager, and wraps in it exactly the part to measure; whatever it does before
and after (arranging the data, rolling back) is not counted:

    @task("spine: sweep", volume_note="1,000,000 work items", needs=("spine",), repeat=5)
    def sweep_once(timed) -> str:
        with transaction.atomic():
            with timed():
                reached = sweep(now=later)
            transaction.set_rollback(True)      # every repetition does the same work
        return f"{reached}"                     # shown in the log
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Seeder:
    name: str
    func: Callable[[float], str | None]
    needs: tuple[str, ...]
    module: str


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[], str]
    persona: str | None
    volume_note: str
    needs: tuple[str, ...]
    rows: Callable[[], int] | None
    status: int
    module: str

    def resolve_url(self) -> str:
        return self.url() if callable(self.url) else self.url


@dataclass(frozen=True)
class Task:
    name: str
    func: Callable[[Callable[[], AbstractContextManager]], str | None]
    volume_note: str
    needs: tuple[str, ...]
    rows: Callable[[], int] | None
    repeat: int
    warmup: int
    module: str


SEEDERS: dict[str, Seeder] = {}
PAGES: list[Page] = []
TASKS: list[Task] = []


def seeder(name: str, *, needs: tuple[str, ...] = ()) -> Callable:
    """Register `func(scale) -> message` as the seeder `name`, run after the seeders it needs."""

    def register(func: Callable[[float], str | None]) -> Callable[[float], str | None]:
        if name in SEEDERS:
            raise ValueError(f"seeder {name!r} is registered twice")
        SEEDERS[name] = Seeder(name, func, tuple(needs), func.__module__)
        return func

    return register


def page(
    name: str,
    url: str | Callable[[], str],
    persona: str | None,
    volume_note: str = "",
    *,
    needs: tuple[str, ...] = (),
    rows: Callable[[], int] | None = None,
    status: int = 200,
) -> Page:
    """Register a page to measure.

    url: a path, or a callable returning one (resolved after seeding, so it may look up ids).
    persona: the user name to sign in as (force_login), None for anonymous.
    volume_note: what the page is measured against, in words ("5,000 staff").
    needs: seeders to run first. rows: counts the rows behind the page, for the report.
    status: the expected response status; anything else fails the page.
    """
    if any(p.name == name for p in PAGES):
        raise ValueError(f"page {name!r} is registered twice")
    import inspect

    caller = inspect.stack()[1].frame.f_globals.get("__name__", "?")
    entry = Page(name, url, persona, volume_note, tuple(needs), rows, status, caller)
    PAGES.append(entry)
    return entry


def task(
    name: str,
    *,
    volume_note: str = "",
    needs: tuple[str, ...] = (),
    rows: Callable[[], int] | None = None,
    repeat: int = 5,
    warmup: int = 1,
) -> Callable:
    """Register `func(timed) -> message` as a task to measure (see the module docstring).

    repeat, warmup: the most repetitions the task wants; --repeat and --warmup lower them (a
    task taking seconds is not run 50 times), never raise them.
    """

    def register(func):
        if any(t.name == name for t in TASKS) or any(p.name == name for p in PAGES):
            raise ValueError(f"task {name!r} is registered twice")
        TASKS.append(
            Task(name, func, volume_note, tuple(needs), rows, repeat, warmup, func.__module__)
        )
        return func

    return register


def scaled(volume: int, scale: float) -> int:
    """The volume at this scale: never below 1 for a non-zero volume."""
    return max(1, round(volume * scale)) if volume else 0


def url(viewname: str, *args, **query) -> Callable[[], str]:
    """A lazy reverse() with an optional query string: url("office:staff_list", q="王")."""

    def resolve() -> str:
        from django.urls import reverse

        path = reverse(viewname, args=args)
        return f"{path}?{urlencode(query)}" if query else path

    return resolve
