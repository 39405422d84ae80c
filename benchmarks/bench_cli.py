"""CLI start-up: wall and CPU time of `silkway --help`, `silkway --version` and `silkway route Xian Duisburg` (with the
ahead-of-time kernels when built, and with numba's JIT: SILKWAY_AOT=0), and how much of each is spent importing
(python -X importtime). Prints a Markdown table; records the load average and whether the ahead-of-time build was used.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--no-bytecode]
    PYTHONPATH=src .venv/bin/python benchmarks/bench_cli.py --phases [--runs 5] [--jit]

``--phases``: where `silkway route Xian Duisburg` spends its CPU, in a fresh process per run (median of the runs): each
library import, the command line, typer's parsing of the arguments, the routing stack, the router, reading the typical waits, the first query (the first call of each
kernel listed: loading the ahead-of-time extension, or with ``--jit`` importing numba and loading its cached kernels), a
second, identical query (the query alone) and printing the tables. ``--jit``: with SILKWAY_AOT=0 (numba's JIT, as
without the build). Both modes run the modules from bytecode after a warm-up run (``--no-bytecode``: from source), as
an installed package does; before session 8 ``--phases`` compiled silkway's modules from source in every run when
PYTHONDONTWRITEBYTECODE was set (≈ 0.18 s more in "import the routing stack").

Targets (issue 16, quiet machine): `silkway --help` under 0.15 s; `route` spends most of its time on the query.
The ahead-of-time kernels are built by `make` (python -m silkway.aot_build); without a fresh build both route rows
run the JIT (the status line says so).
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

ROUTE = ["route", "Xian", "Duisburg"]
# name: (arguments of `python -m silkway`, environment added)
COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "silkway --help": (["--help"], {}), "silkway --version": (["--version"], {}),
    "silkway route Xian Duisburg": (ROUTE, {}),
    "silkway route Xian Duisburg, JIT (SILKWAY_AOT=0)": (ROUTE, {"SILKWAY_AOT": "0"}),
}
BASELINE = {"python -c pass": ["-c", "pass"]}


ENV = dict(os.environ)


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env={**ENV, **(env or {})})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_seconds(args: list[str], env: dict[str, str] | None = None) -> float:
    """Cumulative import time of the command's process, from -X importtime (top-level modules only)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-m", "silkway", *args], capture_output=True, text=True,
                         env={**ENV, **(env or {})}).stderr
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
    ap.add_argument("--jit", action="store_true", help="--phases with numba's JIT (SILKWAY_AOT=0), not the ahead-of-time kernels")
    ap.add_argument("--no-bytecode", action="store_true", help="compile every module from source at every start (a checkout "
                    "with PYTHONDONTWRITEBYTECODE=1)")
    args = ap.parse_args()
    runs = args.runs
    if args.jit:
        ENV["SILKWAY_AOT"] = "0"
    with tempfile.TemporaryDirectory(prefix="silkway-bench-pyc-") as pyc:
        if args.no_bytecode:
            ENV["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            ENV.pop("PYTHONDONTWRITEBYTECODE", None)
            ENV["PYTHONPYCACHEPREFIX"] = pyc
        mode = "no bytecode (compiled from source each start)" if args.no_bytecode else "with bytecode, as installed"
        if args.phases:
            _phases(runs, mode)
        else:
            _table(runs, mode)


def _aot_status() -> str:
    code = "from silkway.routing import aot; aot.functions('', ''); print(aot.status)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV).stdout.strip()


def _table(runs: int, mode: str) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} runs each, median; {mode}; "
          f"ahead-of-time kernels: {_aot_status()}")
    print("| command | wall s | CPU s | of which imports s |")
    print("|---|---|---|---|")
    rows = [(name, [sys.executable, *a], None, {}) for name, a in BASELINE.items()]
    rows += [(name, [sys.executable, "-m", "silkway", *a], a, env) for name, (a, env) in COMMANDS.items()]
    for name, argv, args, env in rows:
        timed(argv, env)  # warm the file cache
        samples = [timed(argv, env) for _ in range(runs)]
        imp = f"{statistics.median(import_seconds(args, env) for _ in range(3)):.3f}" if args is not None else ""
        print(f"| `{name}` | {statistics.median(w for w, _ in samples):.3f} | {statistics.median(c for _, c in samples):.3f} | {imp} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


PHASES = r"""
import io, json, sys, time
cpu = time.process_time
out, t = {}, cpu()
def mark(name):
    global t
    out[name] = cpu() - t
    t = cpu()
import typer; mark("import typer")
import silkway.cli._app as cli_app
from rich.console import Console
cli_app.console = Console(file=io.StringIO(), width=200, markup=False, emoji=False)  # the command's console, into a string
from silkway.cli import route_cmds; mark("import the command line (silkway.cli, the route command, rich's console)")
import typer.main
typer.main.get_group(cli_app.app).get_command(None, "route").make_context("route", ["Xian", "Duisburg"])
mark("parse the arguments (typer builds the command and coerces its 14 parameters)")
import numpy; mark("import numpy")
from silkway.cli._app import skip_numba_blas_probe
import silkway.services.routing as svc; mark("import the routing stack (silkway.network, .routing, services)")
from silkway.routing import aot, jit
from silkway.vocabulary import Objective
svc.before_jit(skip_numba_blas_probe)  # as the command does: numba's BLAS probe skipped if numba loads
first = {}
def timed(self, *a, _orig=jit.LazyKernel.__call__):
    if self.__name__ in first:
        return _orig(self, *a)
    t0 = cpu()
    try:
        return _orig(self, *a)
    finally:
        first[self.__name__] = cpu() - t0
jit.LazyKernel.__call__ = timed
router = svc.router_for(None, as_of=None, depart=None); mark("router for the embedded dataset")
svc.conditions_of(router, "typical", None, router.net.manifest.reference_date); mark("read the typical waits (kept on the router)")
q = dict(dataset=None, router=router, conditions="typical", as_of=None, teu=1.0, depart=None, avoid=[], via=[], max_transfers=None,
         objective=Objective.TIME, alternatives=3)
svc.plan_route("Xian", "Duisburg", **q); mark("first query (state graph, first call of each kernel)")
result = svc.plan_route("Xian", "Duisburg", **q); mark("second query (the query alone)")
route_cmds._print(result, router.net.node_by_id); mark("print the tables (plain when piped, else rich's)")
out.update({f"  of which the first call of kernel {k}": v for k, v in first.items()})
print(json.dumps({"phases": out, "aot": aot.status, "numba": "numba" in sys.modules}))
"""


def _phases(runs: int, mode: str) -> None:
    import json

    def run() -> dict:
        out = subprocess.run([sys.executable, "-c", PHASES], capture_output=True, text=True, check=True, env=ENV).stdout
        return json.loads(out.strip().splitlines()[-1])

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} fresh processes, median CPU s; {mode}")
    run()  # warm-up: compiles the modules' bytecode (and fills the dataset cache), as the table's warm-up run does
    runs_out = [run() for _ in range(runs)]
    samples = [r["phases"] for r in runs_out]
    print(f"ahead-of-time kernels: {runs_out[0]['aot']}; numba imported: {runs_out[0]['numba']}")
    print("| phase of `silkway route Xian Duisburg` | CPU s |")
    print("|---|---|")
    for name in samples[0]:
        print(f"| {name} | {statistics.median(s[name] for s in samples):.3f} |")
    print(f"| total (the phases above, without the of-which rows) | "
          f"{statistics.median(sum(v for k, v in s.items() if not k.startswith(' ')) for s in samples):.3f} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
