"""Load test of the web API on loopback: 200 concurrent route requests for 60 s.

Run (not part of the test suite):

    .venv/bin/python benchmarks/bench_web.py                       # 200 workers, 60 s
    .venv/bin/python benchmarks/bench_web.py --workers 50 --seconds 10   # quicker

It starts ``uvicorn --factory silkway.web:create_app`` (embedded dataset, one server process, the
keep-alive of ``silkway serve``) on
127.0.0.1 and a free port, then an asyncio httpx client with ``--workers`` concurrent workers that
each POST /api/routes in a loop (a fixed mix of 8 origin/destination/avoid queries) until
``--seconds`` have passed or ``--max-requests`` were sent. Every response must be 200 with options.
The peer is the same planner called in-process (``Router.route``, one thread) on the same queries:
the ratio is the cost of HTTP + JSON + concurrency. Prints a Markdown block for
``benchmarks/results/web.md``. Traffic goes to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import httpx
import numpy as np

QUERIES = [
    {"origin": "Xi'an", "destination": "Duisburg"},
    {"origin": "xian", "destination": "duisburg", "avoid": ["RU"]},
    {"origin": "Chongqing", "destination": "Duisburg", "teu": 40, "objective": "cost"},
    {"origin": "Yiwu", "destination": "Istanbul", "avoid": ["ferry"]},
    {"origin": "Lianyungang", "destination": "Budapest", "objective": "co2e"},
    {"origin": "Chengdu", "destination": "Tehran"},
    {"origin": "Zhengzhou", "destination": "Malaszewicze", "teu": 2},
    {"origin": "Almaty", "destination": "Constanta", "avoid": ["RU", "IR"]},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, cwd: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "silkway.web:create_app", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--timeout-keep-alive", "30"]  # as `silkway serve`
    proc = subprocess.Popen(cmd, cwd=cwd)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start")


async def load(url: str, workers: int, seconds: float, max_requests: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    sent = 0
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        for q in QUERIES:  # warm the server: dataset load and router build happen on the first request
            (await client.post("/api/routes", json=q)).raise_for_status()
        t0 = time.perf_counter()
        stop = t0 + seconds

        async def worker(i: int) -> None:
            nonlocal sent
            k = i
            while time.perf_counter() < stop and sent < max_requests:
                sent += 1
                q = QUERIES[k % len(QUERIES)]
                k += 1
                t = time.perf_counter()
                try:
                    r = await client.post("/api/routes", json=q)
                    # a cheap check (parsing 50 kB of JSON per response would steal the server's CPU):
                    # 200, and at least one option with its corridor
                    ok = r.status_code == 200 and b'"options": [{"corridor"' in r.content
                    if not ok:
                        errors.append(f"{r.status_code} {r.text[:100]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc!r} cause {exc.__cause__!r} after {time.perf_counter() - t:.1f} s")
                latencies.append(time.perf_counter() - t)

        await asyncio.gather(*(worker(i) for i in range(workers)))
        wall = time.perf_counter() - t0
    return latencies, errors, wall


def direct_latencies(rounds: int) -> tuple[list[float], float]:
    """Wall seconds of each query after a warm-up round, and the CPU ms per query of those rounds."""
    from silkway.network import read_dataset
    from silkway.routing import Router

    router = Router(read_dataset())
    out = []
    cpu0 = 0.0
    for i in range(rounds):
        if i == 1:
            cpu0 = time.process_time()
        for q in QUERIES:
            opts = {k: v for k, v in q.items() if k not in ("origin", "destination")}
            t = time.perf_counter()
            router.route(q["origin"], q["destination"], **opts)
            out.append(time.perf_counter() - t)
    cpu_ms = (time.process_time() - cpu0) * 1000 / (len(out) - len(QUERIES))
    return out[len(QUERIES):], cpu_ms  # the first round warms caches


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--max-requests", type=int, default=500_000)
    args = ap.parse_args()
    port = free_port()
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, tmp)
        try:
            cpu0 = cpu_s(server.pid)
            lat, errors, wall = asyncio.run(load(f"http://127.0.0.1:{port}", args.workers, args.seconds, args.max_requests))
            server_cpu = cpu_s(server.pid) - cpu0
        finally:
            server.terminate()
            server.wait(timeout=30)
    direct, direct_cpu_ms = direct_latencies(30)
    ms = np.array(lat) * 1000
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    d50 = statistics.median(direct) * 1000
    server_ms = server_cpu * 1000 / (len(lat) + len(QUERIES))
    lines = [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"client and server on the same machine (loopback), one uvicorn process; load average before the run {load_before}",
        f"- command: `.venv/bin/python benchmarks/bench_web.py --workers {args.workers} --seconds {args.seconds:g}`",
        f"- {len(lat)} POST /api/routes in {wall:.1f} s with {args.workers} concurrent workers: {len(lat) / wall:.0f} requests/s, "
        f"errors: {len(errors)}",
        f"- latency ms: p50 {p50:.0f}, p90 {p90:.0f}, **p99 {p99:.0f}**, max {ms.max():.0f}",
        f"- server CPU per request: {server_ms:.1f} ms; the planner alone (in-process, one thread, same queries): "
        f"{direct_cpu_ms:.1f} ms CPU per query → HTTP server / in-process CPU = {server_ms / direct_cpu_ms:.2f}×",
        f"- peer wall time on this machine at this load: median {d50:.1f} ms per query in-process → {1000 / d50:.0f} queries/s "
        f"on one thread; HTTP throughput / in-process throughput = {len(lat) / wall / (1000 / d50):.2f}",
    ]
    if errors:
        lines.append(f"- first errors: {errors[:3]}")
    print("\n".join(lines))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
