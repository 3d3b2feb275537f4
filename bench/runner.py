"""The benchmark runner: settings, database, seeding, measuring, report.

1. Settings: office.settings with DEBUG off, as production runs (a throw-away SECRET_KEY when
   none is configured; static files collected once, as the manifest storage needs); DATABASE_URL
   defaults to the bench database on the local PostgreSQL (a separate database per --scale, so
   a quick run never shrinks or measures the full data).
2. The PostgreSQL database is created if missing, then migrated.
3. The seeders the selected pages need run in dependency order; each skips what is present.
4. Each page: sign in the persona (force_login), warm up, then N requests, each timed with
   perf_counter around client.get (server time in-process: middleware, view, SQL, template;
   no network, no browser) and its SQL counted with CaptureQueriesContext.
   Each task (work that is not a page, e.g. the deadline sweep): warm up, then N calls, each
   timing and counting the SQL of the block the task wraps in `timed()`.
   The machine's load is read before each page and task: a figure taken at a 1-minute load
   above 1.5 per CPU is marked "busy" in the table and the JSON; with --quiet-check the runner
   waits (up to --quiet-wait seconds) for the load to fall and refuses to measure otherwise.
5. A table on stdout (each page's median and p95 also as a multiple of the floor's, the
   signed-in trivial page every run measures first) and a JSON file in bench/results/
   (git-ignored).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import pkgutil
import platform
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/zhengban_bench"
# Modules of the framework itself; every other module in bench/ declares seeders and pages.
FRAMEWORK_MODULES = {"__main__", "registry", "runner", "fake"}
FLOOR_PAGE = "floor (about)"  # measured in every run: the unit of the ×floor column
BUSY_PER_CPU = 1.5  # a 1-minute load above this per CPU marks (or, --quiet-check, refuses) a figure


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Seed realistic volumes and measure server time and SQL queries per page.",
    )
    parser.add_argument("--list", action="store_true", help="list pages and seeders, run nothing")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="measure only pages whose name contains NAME (case-insensitive; repeatable)",
    )
    parser.add_argument("--repeat", type=int, default=50, metavar="N", help="requests per page")
    parser.add_argument("--warmup", type=int, default=5, metavar="N", help="unmeasured requests")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="X",
        help="multiply every seeded volume (0.01 for a quick smoke run)",
    )
    parser.add_argument(
        "--quiet-check",
        action="store_true",
        help=f"refuse to measure while the 1-minute load is above {BUSY_PER_CPU} per CPU",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120,
        metavar="S",
        help="with --quiet-check: seconds to wait for a quiet machine before refusing",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.scale <= 0:
        parser.error("--repeat must be ≥ 1, --warmup ≥ 0 and --scale > 0")
    return args


# --- 1. settings --------------------------------------------------------------------------


def _configured(name: str) -> bool:
    """Set in the environment or in the .env file that settings read."""
    if os.environ.get(name):
        return True
    env_file = BASE_DIR / ".env"
    if not env_file.exists():
        return False
    pattern = re.compile(rf"^\s*(export\s+)?{name}\s*=\s*['\"]?\S", re.MULTILINE)
    return bool(pattern.search(env_file.read_text(encoding="utf-8")))


def default_database_url(scale: float) -> str:
    if scale == 1:
        return BENCH_DATABASE
    suffix = re.sub(r"[^0-9a-z]+", "_", f"{scale:g}")
    return f"{BENCH_DATABASE}_{suffix}"


def configure_django(scale: float) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "office.settings")
    # DEBUG off, as in production: DEBUG keeps every query's SQL and renders templates with
    # more checks (the floor measured ~10 % slower with it). A key only this process knows
    # when none is configured: the bench signs in with force_login, nothing outlives the run.
    if not _configured("DEBUG"):
        os.environ["DEBUG"] = "0"
    if not _configured("SECRET_KEY"):
        import secrets

        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    if not _configured("DATABASE_URL"):
        os.environ["DATABASE_URL"] = default_database_url(scale)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    # force_login logs a sign-in per page; the report is the table.
    logging.getLogger("office.security").setLevel(logging.WARNING)


def import_bench_modules() -> list[str]:
    import bench

    names = sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name not in FRAMEWORK_MODULES and not m.name.startswith("_")
    )
    names.sort(key=lambda n: n != "office")  # the office (floor first) leads the table
    for name in names:
        importlib.import_module(f"bench.{name}")
    return names


# --- 2. database --------------------------------------------------------------------------


def ensure_database() -> str:
    """Create the configured PostgreSQL database if it does not exist. Returns a description."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"{connection.vendor} {db['NAME']} (not PostgreSQL: numbers are not comparable)"
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    libpq_options = {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in libpq_options})
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.autocommit = True
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            admin.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(db["NAME"])
                )
            )
            print(f"created database {db['NAME']}")
    return f"PostgreSQL {connection.pg_version // 10000} {db['NAME']} on {db['HOST'] or 'socket'}"


def migrate() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")


def collect_static() -> None:
    """With DEBUG off the manifest storage needs collected files (as `collectstatic` gives a
    production deployment); collected once, again only when static/ is newer."""
    from django.conf import settings
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [p.stat().st_mtime for d in settings.STATICFILES_DIRS for p in Path(d).rglob("*")]
    if manifest.exists() and manifest.stat().st_mtime >= max(sources, default=0):
        return
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"collectstatic: {time.perf_counter() - started:.1f} s")


def busy_threshold() -> float:
    return BUSY_PER_CPU * (os.cpu_count() or 1)


def wait_for_quiet(name: str, *, required: bool, wait: float) -> float:
    """The 1-minute load now; with `required`, wait up to `wait` s for it to fall to the
    threshold and refuse (exit) if it does not: a figure taken on a busy machine measures the
    other processes as much as the page."""
    load = os.getloadavg()[0]
    if not required or load <= busy_threshold():
        return load
    deadline = time.monotonic() + wait
    print(f"{name}: load {load:.1f} > {busy_threshold():.1f}; waiting up to {wait:.0f} s")
    while time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
        if load <= busy_threshold():
            return load
    raise SystemExit(
        f"refused: the 1-minute load is {load:.1f} on {os.cpu_count()} CPUs (more than "
        f"{BUSY_PER_CPU} per CPU) before {name!r}; run again on a quiet machine, or without "
        "--quiet-check to record figures marked busy"
    )


# --- 3. seeding ---------------------------------------------------------------------------


def seeders_for(pages) -> list:
    """The seeders the pages (and tasks) need, each after the seeders it needs."""
    from bench.registry import SEEDERS

    ordered: list = []

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in chain:
            raise SystemExit(f"seeder cycle: {' → '.join((*chain, name))}")
        if name not in SEEDERS:
            raise SystemExit(f"unknown seeder {name!r} (needed by {chain[-1] if chain else '?'})")
        entry = SEEDERS[name]
        if entry in ordered:
            return
        for dep in entry.needs:
            visit(dep, (*chain, name))
        ordered.append(entry)

    for p in pages:
        for name in p.needs:
            visit(name, (f"page {p.name}",))
    return ordered


def run_seeders(seeders, scale: float) -> dict[str, dict]:
    log = {}
    for entry in seeders:
        started = time.perf_counter()
        message = entry.func(scale) or "done"
        seconds = time.perf_counter() - started
        print(f"seed {entry.name}: {message} [{seconds:.1f} s]")
        log[entry.name] = {"message": message, "seconds": round(seconds, 3)}
    analyze()
    return log


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would give a production database after the bulk
    loads; without them the first run after seeding measures plans built on empty tables."""
    from django.db import connection

    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"analyze: {time.perf_counter() - started:.1f} s")


# --- 4. measuring -------------------------------------------------------------------------


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _host() -> str:
    from django.conf import settings

    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host
    return "localhost"


def measure(p, *, repeat: int, warmup: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME=_host())
    if p.persona:
        user = get_user_model().objects.filter(username=p.persona).first()
        if user is None:
            raise SystemExit(f"page {p.name!r}: persona {p.persona!r} does not exist")
        client.force_login(user)
    path = p.resolve_url()

    def get():
        # secure=True: a production-like configuration (SECURE_SSL_REDIRECT) answers 200 too.
        response = client.get(path, secure=True)
        if response.status_code != p.status:
            where = response.headers.get("Location")
            raise SystemExit(
                f"page {p.name!r}: GET {path} answered {response.status_code}"
                f"{f' → {where}' if where else ''} (expected {p.status})"
            )
        return response

    for _ in range(warmup):
        get()
    times: list[float] = []
    queries: list[int] = []
    size = 0
    for _ in range(repeat):
        reset_queries()  # DEBUG keeps at most 9,000 queries; CaptureQueriesContext needs room
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = get()
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
        size = len(response.content)
    return {
        "name": p.name,
        "kind": "page",
        "url": path,
        "persona": p.persona,
        "volume_note": p.volume_note,
        "rows": p.rows() if p.rows else None,
        "status": p.status,
        "bytes": size,
        "repeat": repeat,
        "warmup": warmup,
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(percentile(times, 95), 3),
        "min_ms": round(min(times), 3),
        "max_ms": round(max(times), 3),
        "queries": max(queries),
        "queries_min": min(queries),
        "samples_ms": [round(t, 3) for t in times],
    }


def measure_task(t, *, repeat: int, warmup: int) -> dict:
    """Call the task warmup + repeat times; time and count the SQL of its `timed()` block.

    Queries are counted with an execute wrapper rather than CaptureQueriesContext: a task may
    run more queries than DEBUG keeps (9,000), and counting does not format the SQL.
    """
    from contextlib import contextmanager

    from django.db import connection

    samples: list[tuple[float, int]] = []

    @contextmanager
    def timed():
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            yield
            elapsed = (time.perf_counter() - started) * 1000
        samples.append((elapsed, count))

    note = None
    for i in range(warmup + repeat):
        before = len(samples)
        note = t.func(timed)
        if len(samples) != before + 1:
            raise SystemExit(f"task {t.name!r} must enter timed() exactly once per call")
        if i < warmup:
            samples.pop()
    times = [ms for ms, _ in samples]
    queries = [n for _, n in samples]
    return {
        "name": t.name,
        "kind": "task",
        "volume_note": t.volume_note,
        "note": note,
        "rows": t.rows() if t.rows else None,
        "repeat": repeat,
        "warmup": warmup,
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(percentile(times, 95), 3),
        "min_ms": round(min(times), 3),
        "max_ms": round(max(times), 3),
        "queries": max(queries),
        "queries_min": min(queries),
        "samples_ms": [round(ms, 3) for ms in times],
    }


# --- 5. report ----------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def add_floor_multiples(results: list[dict]) -> None:
    """Each page's median and p95 as a multiple of the floor's median and p95 (same run)."""
    floor = next((r for r in results if r["name"] == FLOOR_PAGE), None)
    for r in results:
        if floor is None or r["kind"] != "page":
            r["x_floor_median"] = r["x_floor_p95"] = None
            continue
        r["x_floor_median"] = round(r["median_ms"] / floor["median_ms"], 2)
        r["x_floor_p95"] = round(r["p95_ms"] / floor["p95_ms"], 2)


def print_table(results: list[dict]) -> None:
    header = ["page", "rows", "median ms", "p95 ms", "queries", "×floor (med/p95)", "load"]
    lines = []
    for r in results:
        q = r["queries"]
        x = (
            f"{r['x_floor_median']:.1f} / {r['x_floor_p95']:.1f}"
            if r.get("x_floor_median") is not None
            else "—"
        )
        lines.append(
            [
                r["name"],
                f"{r['rows']:,}" if r["rows"] is not None else "—",
                f"{r['median_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                str(q) if q == r["queries_min"] else f"{r['queries_min']}–{q}",
                x,
                f"{r['load_1min']:.1f}{' busy' if r['busy'] else ''}",
            ]
        )
    widths = [max(_width(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def fmt(row):
        cells = [_pad(row[0], widths[0])]
        cells += [_pad(cell, widths[i], right=True) for i, cell in enumerate(row[1:], 1)]
        return "  ".join(cells)

    print()
    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for row in lines:
        print(fmt(row))


def _git_commit() -> str | None:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def write_json(results: list[dict], meta: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{meta['started'].replace(':', '').replace('-', '')}.json"
    path.write_text(
        json.dumps({"meta": meta, "pages": results}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return path


def list_entries() -> None:
    from bench.registry import PAGES, SEEDERS, TASKS

    print("seeders:")
    for s in SEEDERS.values():
        needs = f" (after {', '.join(s.needs)})" if s.needs else ""
        print(f"  {s.name}{needs}  [{s.module}]")
    print("pages:")
    for p in PAGES:
        # A URL that needs seeded data to be known is shown as such: --list touches no database.
        url = "(computed from the data)" if callable(p.url) else p.url
        print(f"  {p.name}: {url} as {p.persona or 'anonymous'}", end="")
        print(f", {p.volume_note}" if p.volume_note else "", end="")
        print(f"  [{p.module}; seeds {', '.join(p.needs) or 'nothing'}]")
    if TASKS:
        print("tasks:")
    for t in TASKS:
        print(f"  {t.name}: up to {t.repeat} runs", end="")
        print(f", {t.volume_note}" if t.volume_note else "", end="")
        print(f"  [{t.module}; seeds {', '.join(t.needs) or 'nothing'}]")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_django(args.scale)
    modules = import_bench_modules()

    from django.conf import settings

    from bench.registry import PAGES, TASKS

    if args.list:
        list_entries()
        return 0
    pages, tasks = PAGES, TASKS
    if args.only:
        wanted = [w.casefold() for w in args.only]
        pages = [p for p in PAGES if any(w in p.name.casefold() for w in wanted)]
        tasks = [t for t in TASKS if any(w in t.name.casefold() for w in wanted)]
        if not pages and not tasks:
            names = ", ".join(e.name for e in [*PAGES, *TASKS])
            print(f"no page or task matches {args.only}; they are: {names}", file=sys.stderr)
            return 2
        # The floor is the unit of every page's ×floor: measured in every run, first.
        pages = [p for p in PAGES if p.name == FLOOR_PAGE] + [
            p for p in pages if p.name != FLOOR_PAGE
        ]

    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    database = ensure_database()
    print(f"database: {database}; DEBUG={settings.DEBUG}; scale {args.scale:g}")
    load_before = os.getloadavg()[0]
    migrate()
    collect_static()
    seeded = run_seeders(seeders_for([*pages, *tasks]), args.scale)

    def quiet(name: str) -> dict:
        load = wait_for_quiet(name, required=args.quiet_check, wait=args.quiet_wait)
        return {"load_1min": round(load, 2), "busy": load > busy_threshold()}

    results = []
    for p in pages:
        before = quiet(p.name)
        result = {**measure(p, repeat=args.repeat, warmup=args.warmup), **before}
        print(f"measured {p.name}: median {result['median_ms']:.1f} ms")
        results.append(result)
    for t in tasks:
        repeat, warmup = min(args.repeat, t.repeat), min(args.warmup, t.warmup)
        before = quiet(t.name)
        result = {**measure_task(t, repeat=repeat, warmup=warmup), **before}
        print(f"measured {t.name}: median {result['median_ms']:.1f} ms; {result['note'] or ''}")
        results.append(result)
    add_floor_multiples(results)
    print_table(results)
    load_after = os.getloadavg()[0]
    busy = [r["name"] for r in results if r["busy"]]
    if busy or load_after > busy_threshold():
        print(
            f"\nwarning: {len(busy)} of {len(results)} figures were taken on a busy machine "
            f"(1-minute load above {BUSY_PER_CPU} per CPU; {load_before:.1f} → {load_after:.1f} "
            f"on {os.cpu_count()} CPUs), marked busy: their times are inflated; compare "
            "queries and ×floor, or run again with --quiet-check"
        )

    import django

    meta = {
        "started": started,
        "git_commit": _git_commit(),
        "database": database,
        "debug": settings.DEBUG,
        "scale": args.scale,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "only": args.only,
        "modules": modules,
        "seeders": seeded,
        "django": django.get_version(),
        "python": platform.python_version(),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
        "load_1min": [round(load_before, 2), round(load_after, 2)],
        "busy_threshold": busy_threshold(),
        "quiet_check": args.quiet_check,
    }
    path = write_json(results, meta)
    print(f"\nresults: {path.relative_to(BASE_DIR)}")
    return 0
