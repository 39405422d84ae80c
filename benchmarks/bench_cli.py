"""CLI start-up: wall and CPU time of `silkway --help`, `silkway --version` and `silkway route Xian Duisburg`, and how
much of `route` is spent importing (python -X importtime). Prints a Markdown table; records the load average.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--no-bytecode]
    PYTHONPATH=src .venv/bin/python benchmarks/bench_cli.py --phases [--runs 3]

``--phases``: where `silkway route Xian Duisburg` spends its CPU, in a fresh process per run (median of the runs): each
library import, the routing stack, the first query (which loads the cached kernels: the time of each kernel's load is
listed) and a second, identical query (the query alone).

Targets (issue 16, quiet machine): `silkway --help` under 0.15 s; `route` spends most of its time on the query.
The commands run as an installed package does: with its modules' bytecode (compiled by the warm-up run into a temporary
PYTHONPYCACHEPREFIX, the source tree is not touched), whatever PYTHONDONTWRITEBYTECODE says. ``--no-bytecode`` measures
a checkout run with PYTHONDONTWRITEBYTECODE=1 and no __pycache__ instead: every silkway module compiled from source at
every start.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {"silkway --help": ["--help"], "silkway --version": ["--version"], "silkway route Xian Duisburg": ["route", "Xian", "Duisburg"]}
BASELINE = {"python -c pass": ["-c", "pass"]}


ENV = dict(os.environ)


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_seconds(args: list[str]) -> float:
    """Cumulative import time of the command's process, from -X importtime (top-level modules only)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-m", "silkway", *args], capture_output=True, text=True, env=ENV).stderr
    total = 0
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if m and not m.group(2).startswith(" "):
            total += int(m.group(1))
    return total / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--phases", action="store_true", help="CPU time of each phase of `silkway route Xian Duisburg`")
    ap.add_argument("--no-bytecode", action="store_true", help="compile every module from source at every start (a checkout "
                    "with PYTHONDONTWRITEBYTECODE=1)")
    args = ap.parse_args()
    runs = args.runs
    if args.phases:
        _phases(runs)
        return
    with tempfile.TemporaryDirectory(prefix="silkway-bench-pyc-") as pyc:
        if args.no_bytecode:
            ENV["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            ENV.pop("PYTHONDONTWRITEBYTECODE", None)
            ENV["PYTHONPYCACHEPREFIX"] = pyc
        _table(runs, "no bytecode (compiled from source each start)" if args.no_bytecode else "with bytecode, as installed")


def _table(runs: int, mode: str) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} runs each, median; {mode}")
    print("| command | wall s | CPU s | of which imports s |")
    print("|---|---|---|---|")
    rows = [(name, [sys.executable, *a], None) for name, a in BASELINE.items()]
    rows += [(name, [sys.executable, "-m", "silkway", *a], a) for name, a in COMMANDS.items()]
    for name, argv, args in rows:
        timed(argv)  # warm the file cache
        samples = [timed(argv) for _ in range(runs)]
        imp = f"{statistics.median(import_seconds(args) for _ in range(3)):.3f}" if args is not None else ""
        print(f"| `{name}` | {statistics.median(w for w, _ in samples):.3f} | {statistics.median(c for _, c in samples):.3f} | {imp} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


PHASES = r"""
import json, sys, time
cpu = time.process_time
out, t = {}, cpu()
def mark(name):
    global t
    out[name] = cpu() - t
    t = cpu()
import typer; mark("import typer")
import pydantic; mark("import pydantic (typer's parameter coercion)")
import numpy; mark("import numpy")
import numba; mark("import numba")
import numba.core.dispatcher as d
loads = {}
def timed(self, *a, _orig=d.Dispatcher._compile_for_args, **k):
    t0 = cpu()
    try:
        return _orig(self, *a, **k)
    finally:
        loads[self.py_func.__name__] = cpu() - t0
d.Dispatcher._compile_for_args = timed
from silkway.cli._app import skip_numba_blas_probe
import silkway.services.routing as svc; mark("import the routing stack (silkway.network, .routing, services)")
from silkway.vocabulary import Objective
skip_numba_blas_probe(); mark("numba's array implementations (BLAS probe skipped, as the CLI does)")
router = svc.router_for(None, as_of=None, depart=None); mark("router for the embedded dataset")
q = dict(dataset=None, router=router, conditions="typical", as_of=None, teu=1.0, depart=None, avoid=[], via=[], max_transfers=None,
         objective=Objective.TIME, alternatives=3)
svc.plan_route("Xian", "Duisburg", **q); mark("first query (loads the cached kernels, reads the typical waits)")
svc.plan_route("Xian", "Duisburg", **q); mark("second query (the query alone)")
out.update({f"  of which loading kernel {k}": v for k, v in loads.items()})
print(json.dumps(out))
"""


def _phases(runs: int) -> None:
    import json

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} fresh processes, median CPU s")
    samples = [json.loads(subprocess.run([sys.executable, "-c", PHASES], capture_output=True, text=True, check=True, env=ENV)
                          .stdout.strip().splitlines()[-1]) for _ in range(runs)]
    print("| phase of `silkway route Xian Duisburg` | CPU s |")
    print("|---|---|")
    for name in samples[0]:
        print(f"| {name} | {statistics.median(s[name] for s in samples):.3f} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
