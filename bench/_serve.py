"""`make bench-load`: the pages under load, served as in production.

gunicorn (4 sync workers, DEBUG off) on 127.0.0.1 only, against the bench database the pages
were seeded into (`make bench` first); a load generator on the same machine: `wrk` (Debian's
package) when installed, else bench._load (a small Python client). One page after another —
the floor, the inbox, the approval queue and the smallest section's register — each for a
bounded time with a bounded number of connections, signed in as the page's persona (a session
made with force_login, sent as a cookie). Prints requests/s, median and p95 per page, and each
page's requests/s as a share of the floor's (the issue's target: the queue at ≥ 60 %).

    .venv/bin/python -m bench._serve [--seconds 15] [--connections 16] [--workers 4]

The numbers measure this machine as it is: the 1-minute load is printed before each page.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.runner import BASE_DIR, configure_django, import_bench_modules

LOAD_PAGES = [
    "floor (about)",
    "spine: inbox 待办, busiest staff",
    "documents: queue 批示, mayor",
    "documents: register, staff 行政科",
]
HOST = "127.0.0.1"  # loopback only: never load anything but this machine
MAX_SECONDS, MAX_CONNECTIONS = 60, 64

# wrk prints no p95 of its own; its Lua `done` hook does.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("ZB p50_us=%d p95_us=%d requests=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(95), summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _session_cookie(persona: str) -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username=persona)
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:  # any answer will do (plain HTTP is redirected to HTTPS: not followed here)
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s")


def _run_wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                "-H",
                "X-Forwarded-Proto: https",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    zb = dict(re.findall(r"(\w+)=(\d+)", out.split("ZB", 1)[1]))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "median_ms": int(zb["p50_us"]) / 1000,
        "p95_ms": int(zb["p95_us"]) / 1000,
        "requests": int(zb["requests"]),
        "errors": int(zb["errors"]) + (int(non2xx.group(1)) if non2xx else 0),
        "tool": "wrk",
    }


def _run_python(url: str, cookie: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench._load",
            url,
            "--clients",
            str(connections),
            "--seconds",
            str(seconds),
            "--header",
            f"Cookie: {cookie}",
            "--header",
            "X-Forwarded-Proto: https",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
        cwd=BASE_DIR,
    ).stdout
    m = re.search(
        r"(\d+) requests, ([\d.]+) req/s, errors (\d+), median (\d+) ms, p95 (\d+) ms", out
    )
    return {
        "rps": float(m.group(2)),
        "median_ms": float(m.group(4)),
        "p95_ms": float(m.group(5)),
        "requests": int(m.group(1)),
        "errors": int(m.group(3)),
        "tool": "bench._load",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._serve")
    parser.add_argument("--seconds", type=int, default=15, help="per page (at most 60)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent (at most 64)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args(argv)
    if not (1 <= args.seconds <= MAX_SECONDS and 1 <= args.connections <= MAX_CONNECTIONS):
        parser.error(f"bounded: 1–{MAX_SECONDS} s and 1–{MAX_CONNECTIONS} connections per page")
    configure_django(1.0)
    import_bench_modules()
    from django.conf import settings

    from bench.registry import PAGES
    from bench.runner import collect_static

    collect_static()
    pages = [p for name in LOAD_PAGES for p in PAGES if p.name == name]
    missing = set(LOAD_PAGES) - {p.name for p in pages}
    if missing:
        raise SystemExit(f"pages not registered: {sorted(missing)}")
    port = _free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "BEHIND_TLS_PROXY": "1",  # the load sends X-Forwarded-Proto: https, as a TLS proxy would
        "ALLOWED_HOSTS": HOST,
        "PYTHONPATH": str(BASE_DIR),
    }
    gunicorn = [
        str(Path(sys.executable).with_name("gunicorn")),
        "bench._wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
        # The app is imported once before the workers fork; on a loaded machine a first
        # request (the URLconf, WeasyPrint) takes longer than gunicorn's default 30 s.
        "--preload",
        "--timeout",
        "120",
    ]
    print(f"database {settings.DATABASES['default']['NAME']}; gunicorn {args.workers} workers")
    tool = _run_wrk if shutil.which("wrk") else _run_python
    proc = subprocess.Popen(gunicorn, cwd=BASE_DIR, env=env)
    results = []
    try:
        _wait_until_up(port, proc)
        for p in pages:  # unmeasured: every worker imports its views and fills its caches
            tool(f"{base}{p.resolve_url()}", _session_cookie(p.persona), 5, args.workers)
        for p in pages:
            path = p.resolve_url()
            cookie = _session_cookie(p.persona)
            load = os.getloadavg()[0]
            r = tool(f"{base}{path}", cookie, args.seconds, args.connections)
            results.append({"name": p.name, "load": load, **r})
            print(
                f"{p.name}: {r['rps']:.1f} req/s, median {r['median_ms']:.0f} ms, "
                f"p95 {r['p95_ms']:.0f} ms, {r['requests']} requests, {r['errors']} errors "
                f"[{r['tool']}, load {load:.1f}]"
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    floor = results[0]["rps"] if results else 0
    print()
    for r in results:
        share = f"{100 * r['rps'] / floor:.0f} % of the floor" if floor else "—"
        print(f"  {r['name']:<36} {r['rps']:7.1f} req/s  p95 {r['p95_ms']:6.0f} ms  {share}")
    print(
        f"\n{args.connections} connections, {args.seconds} s per page, {os.cpu_count()} CPUs; "
        "figures taken at a load above the CPU count measure the other processes too"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
