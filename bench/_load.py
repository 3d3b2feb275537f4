"""A bounded load test against a server on this machine only: N concurrent clients, each with
its own keep-alive connection, request one path for S seconds; prints requests/s and latency
percentiles. Refuses any host but 127.0.0.1 / localhost.

    .venv/bin/python -m bench._load http://127.0.0.1:8765/public/ --clients 50 --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from urllib.parse import urlsplit


def _client(host, port, path, stop_at, latencies, errors, lock, headers):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    mine, bad = [], 0
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Language": "zh-CN", **headers})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                bad += 1
        except (OSError, http.client.HTTPException):
            bad += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        mine.append(time.perf_counter() - started)
    conn.close()
    with lock:
        latencies.extend(mine)
        errors.append(bad)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--header", action="append", default=[], metavar="NAME: VALUE", help="repeatable"
    )
    args = parser.parse_args()
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    parts = urlsplit(args.url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("only a server on this machine (127.0.0.1) may be load-tested")
    if not (1 <= args.clients <= 200 and 0 < args.seconds <= 120):
        raise SystemExit("bounded: at most 200 clients for at most 120 s")
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(
                parts.hostname,
                parts.port or 80,
                parts.path + (f"?{parts.query}" if parts.query else "") or "/",
                stop_at,
                latencies,
                errors,
                lock,
                headers,
            ),
        )
        for _ in range(args.clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    if not n:
        raise SystemExit("no request succeeded")
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{args.url}: {args.clients} clients, {elapsed:.1f} s: {n} requests, "
        f"{n / elapsed:.1f} req/s, errors {sum(errors)}, "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
        f"p99 {q[98] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
