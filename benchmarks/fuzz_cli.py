"""The long CLI fuzz run: N Hypothesis-generated cases per command (default 5,000) through the harness of
tests/hardening/cli_fuzz.py; prints, per command, the cases run, their exit codes, the failures and the time.

    PYTHONPATH=src python benchmarks/fuzz_cli.py [--cases 5000] [--commands route,simulate] [--seed 0] [--log run.jsonl]

The cases of a command run in chunks (``--chunk``, 250 cases, each chunk its own Hypothesis seed derived from
``--seed``, the command and the chunk's number). With ``--log``, every finished chunk is appended to that JSON-lines
file and a re-run with the same log skips the chunks already there: a long run can be stopped and resumed, or split
over several processes by command. ``--summary`` prints the table of a log without running anything.

Exit status 1 when any case fails (the first failures of each command are printed with their arguments)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "hardening"))

from cli_fuzz import COMMANDS, DRAWN, Place, reset, run_case
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st


def chunk_seed(base: int, command: str, chunk: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{base}/{command}/{chunk}".encode()).digest()[:8], "big")


def fuzz(command: str, cases: int, place: Place, rng_seed: int) -> tuple[Counter[int], list[str], float, dict[str, list[float]]]:
    """Exit codes, failures, wall time, and per kind of draw ("valid", "attack") the case count and the seconds spent
    running the command (the rest of the wall time is Hypothesis drawing and the harness resetting the folder)."""
    codes: Counter[int] = Counter()
    failures: list[str] = []
    kinds: dict[str, list[float]] = {"valid": [0, 0.0], "attack": [0, 0.0]}
    start = time.perf_counter()

    @seed(rng_seed)
    @settings(max_examples=cases, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def case(data: st.DataObject) -> None:
        reset(place)
        args = COMMANDS[command](data, place)
        t = time.perf_counter()
        outcome = run_case(args, place)
        kinds[DRAWN[0]][0] += 1
        kinds[DRAWN[0]][1] += time.perf_counter() - t
        codes[outcome.exit_code] += 1
        if outcome.problem is not None:
            failures.append(f"silkway {outcome.args!r}: {outcome.problem}")

    case()
    return codes, failures, time.perf_counter() - start, kinds


def read_log(log: Path | None) -> list[dict]:
    if log is None or not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def summary(records: list[dict], commands: list[str]) -> int:
    """Print one line per command from the chunk records; return the number of failures."""
    bad = 0
    for command in commands:
        mine = [r for r in records if r["command"] == command]
        if not mine:
            continue
        codes: Counter[str] = Counter()
        for r in mine:
            codes.update(r["codes"])
        n = sum(codes.values())
        wall = sum(r["wall_s"] for r in mine)
        failures = [f for r in mine for f in r["failures"]]
        loads = [r["load1"] for r in mine]
        split = ""
        if all("kinds" in r for r in mine):  # logs written before the split was recorded have none
            per = {k: (sum(r["kinds"][k][0] for r in mine), sum(r["kinds"][k][1] for r in mine)) for k in ("valid", "attack")}
            split = "  " + ", ".join(f"{k} {c} × {1000 * s / c:.0f} ms" for k, (c, s) in per.items() if c)
        print(f"{command:18s} {n:6d} cases  exit 0/1/2: {codes['0']}/{codes['1']}/{codes['2']}  failures: {len(failures)}  "
              f"{wall:8.1f} s ({1000 * wall / max(n, 1):.0f} ms/case{split})  load {min(loads):.1f}–{max(loads):.1f}  "
              f"{mine[0]['start'][11:16]}–{mine[-1]['end'][11:16]} UTC", flush=True)
        for f in failures[:5]:
            print("   ", f[:500], flush=True)
        bad += len(failures)
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--commands", default=",".join(sorted(COMMANDS)))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", type=Path, default=None, help="JSON-lines file of finished chunks (resume from it)")
    parser.add_argument("--summary", action="store_true", help="only print the table of --log")
    args = parser.parse_args()
    commands = args.commands.split(",")
    if args.summary:
        return 1 if summary(read_log(args.log), commands) else 0
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    done = {(r["command"], r["chunk"]) for r in read_log(args.log) if r["seed"] == args.seed}
    records: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="silkway-fuzz-") as tmp:
        place = Place(Path(tmp))
        for command in commands:
            for chunk in range(-(-args.cases // args.chunk)):
                if (command, chunk) in done:
                    continue
                n = min(args.chunk, args.cases - chunk * args.chunk)
                began = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
                codes, failures, wall, kinds = fuzz(command, n, place, chunk_seed(args.seed, command, chunk))
                record = {"command": command, "chunk": chunk, "seed": args.seed, "codes": {str(k): v for k, v in codes.items()},
                          "failures": failures, "wall_s": round(wall, 2), "load1": round(os.getloadavg()[0], 2),
                          "kinds": {k: [n_, round(s, 2)] for k, (n_, s) in kinds.items()},
                          "start": began, "end": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())}
                records.append(record)
                if args.log is not None:
                    with args.log.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(record) + "\n")
                print(f"  {command} chunk {chunk}: {sum(codes.values())} cases, {len(failures)} failures, {wall:.1f} s", flush=True)
    all_records = read_log(args.log) if args.log is not None else records
    return 1 if summary([r for r in all_records if r["seed"] == args.seed], commands) else 0


if __name__ == "__main__":
    sys.exit(main())
