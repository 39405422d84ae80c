"""Load test of the web API on loopback: ``--workers`` concurrent clients repeating route requests for ``--seconds``.

Run (not part of the test suite; on a quiet machine for figures worth quoting):

    PYTHONPATH=src .venv/bin/python benchmarks/bench_web.py                        # 200 clients, 60 s
    PYTHONPATH=src .venv/bin/python benchmarks/bench_web.py --workers 50 --seconds 10   # quicker

The server is ``uvicorn --factory silkway.web:create_app`` in its own process (embedded dataset, one worker, the
keep-alive of ``silkway serve``; ``--http``/``--loop`` pick uvicorn's HTTP parser and event loop, default: uvicorn's
choice). The load generator is this process: an asyncio client on raw keep-alive sockets (one connection per client,
pre-encoded requests, a minimal response reader), cheap enough not to starve the server on a small machine. Each
client POSTs /api/routes in a loop over a fixed mix of 8 queries (the repeated queries the answer cache is for) until
``--seconds`` have passed. Every response must be 200 with options. Server CPU is read from /proc for the server
process only (user + system, during the load phase); the client's own CPU is reported apart. The load average before
and after is printed with the figures. Prints a Markdown block for ``benchmarks/results/web.md``.
With ``--peer``, the planner is also timed in-process on the same queries (the cost of a cache miss).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime

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
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)
OK_MARK = b'"options": [{"corridor"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request_bytes(port: int, query: dict) -> bytes:
    body = json.dumps(query).encode()
    return (f"POST /api/routes HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n").encode() + body


def start_server(port: int, cwd: str, http: str, loop: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "silkway.web:create_app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--timeout-keep-alive", "30", "--http", http, "--loop", loop]  # keep-alive as `silkway serve`
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")  # this checkout's silkway
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, "PYTHONPATH": src})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("the server did not start")


async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, req: bytes) -> tuple[int, bytes]:
    writer.write(req)
    head = await reader.readuntil(b"\r\n\r\n")
    m = _LENGTH.search(head)
    body = await reader.readexactly(int(m.group(1))) if m else b""
    return int(head[9:12]), body


async def load(port: int, workers: int, seconds: float, server_pid: int) -> dict:
    requests = [request_bytes(port, q) for q in QUERIES]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for req in requests:  # warm the server: dataset load, planner, the first answers (cache misses)
        status, body = await one(reader, writer, req)
        if status != 200 or OK_MARK not in body:
            raise RuntimeError(f"warm-up answer {status}: {body[:200]!r}")
    writer.close()
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(workers)]
    latencies: list[float] = []
    errors: list[str] = []
    cpu0, client0, t0 = cpu_s(server_pid), time.process_time(), time.perf_counter()
    stop = t0 + seconds

    async def worker(i: int) -> None:
        r, w = conns[i]
        k = i
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                status, body = await one(r, w, requests[k % len(requests)])
                if status != 200 or OK_MARK not in body:  # a cheap check: 200 and an option with its corridor
                    errors.append(f"{status} {body[:100]!r}")
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            latencies.append(time.perf_counter() - t)
            k += 1

    await asyncio.gather(*(worker(i) for i in range(workers)))
    wall = time.perf_counter() - t0
    result = {"latencies": latencies, "errors": errors, "wall": wall, "server_cpu": cpu_s(server_pid) - cpu0,
              "client_cpu": time.process_time() - client0}
    for _, w in conns:
        w.close()
    return result


def peer_cpu_ms(rounds: int) -> float:
    """The planner alone, in-process, one thread, same queries: CPU ms per query after a warm-up round (a cache miss)."""
    from silkway.network import read_dataset
    from silkway.routing import Router

    router = Router(read_dataset())
    cpu0, n = 0.0, 0
    for i in range(rounds):
        if i == 1:
            cpu0 = time.process_time()
        for q in QUERIES:
            router.route(q["origin"], q["destination"], **{k: v for k, v in q.items() if k not in ("origin", "destination")})
            n += i >= 1
    return (time.process_time() - cpu0) * 1000 / max(n, 1)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--http", default="auto", help="uvicorn's HTTP implementation: auto, h11, httptools")
    ap.add_argument("--loop", default="auto", help="uvicorn's event loop: auto, asyncio, uvloop")
    ap.add_argument("--peer", action="store_true", help="also time the planner in-process (a cache miss)")
    args = ap.parse_args()
    port = free_port()
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, tmp, args.http, args.loop)
        try:
            r = asyncio.run(load(port, args.workers, args.seconds, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    load_after = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lat, n = np.array(r["latencies"]) * 1000, len(r["latencies"])
    p50, p90, p99 = np.percentile(lat, [50, 90, 99]) if n else (float("nan"),) * 3
    lines = [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"server (uvicorn, --http {args.http}, --loop {args.loop}) and load generator in two processes on loopback; "
        f"load average before {load_before}, after {load_after}",
        f"- command: `PYTHONPATH=src .venv/bin/python benchmarks/bench_web.py --workers {args.workers} --seconds {args.seconds:g}"
        f" --http {args.http} --loop {args.loop}`",
        f"- {n} POST /api/routes (8 repeated queries) in {r['wall']:.1f} s with {args.workers} concurrent clients: "
        f"{n / r['wall']:.0f} requests/s, errors: {len(r['errors'])}",
        f"- latency ms: p50 {p50:.0f}, p90 {p90:.0f}, **p99 {p99:.0f}**, max {lat.max() if n else float('nan'):.0f}",
        f"- **server CPU per request: {r['server_cpu'] * 1000 / max(n, 1):.2f} ms** (server process only); load generator "
        f"CPU per request: {r['client_cpu'] * 1000 / max(n, 1):.2f} ms",
    ]
    if args.peer:
        lines.append(f"- a cache miss: the planner alone (in-process, one thread) {peer_cpu_ms(10):.1f} ms CPU per query")
    if r["errors"]:
        lines.append(f"- first errors: {r['errors'][:3]}")
    print("\n".join(lines))
    sys.exit(1 if r["errors"] else 0)


if __name__ == "__main__":
    main()
