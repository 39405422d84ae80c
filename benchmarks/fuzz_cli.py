"""The long CLI fuzz run: N Hypothesis-generated cases per command (default 5,000) through the harness of
tests/hardening/cli_fuzz.py; prints, per command, the cases run, their exit codes, the failures and the time.

    PYTHONPATH=src python benchmarks/fuzz_cli.py [--cases 5000] [--commands route,simulate] [--seed 0]

Exit status 1 when any case fails (the first failures of each command are printed with their arguments)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "hardening"))

from cli_fuzz import COMMANDS, Place, reset, run_case
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st


def fuzz(command: str, cases: int, place: Place, rng_seed: int) -> tuple[Counter[int], list[str], float]:
    codes: Counter[int] = Counter()
    failures: list[str] = []
    start = time.perf_counter()

    @seed(rng_seed)
    @settings(max_examples=cases, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def case(data: st.DataObject) -> None:
        reset(place)
        outcome = run_case(COMMANDS[command](data, place), place)
        codes[outcome.exit_code] += 1
        if outcome.problem is not None:
            failures.append(f"silkway {outcome.args!r}: {outcome.problem}")

    case()
    return codes, failures, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--commands", default=",".join(sorted(COMMANDS)))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    bad = 0
    with tempfile.TemporaryDirectory(prefix="silkway-fuzz-") as tmp:
        place = Place(Path(tmp))
        for command in args.commands.split(","):
            codes, failures, wall = fuzz(command, args.cases, place, args.seed)
            n = sum(codes.values())
            print(f"{command:18s} {n:6d} cases  exit 0/1/2: {codes[0]}/{codes[1]}/{codes[2]}  failures: {len(failures)}  "
                  f"{wall:7.1f} s ({1000 * wall / max(n, 1):.0f} ms/case)  load {os.getloadavg()[0]:.2f}", flush=True)
            for f in failures[:5]:
                print("   ", f[:500], flush=True)
            bad += len(failures)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
