"""Are route answers identical before and after a change? 198 embedded queries through ``silkway.route(net, …)``.

Run (from the repository root):

    PYTHONPATH=src .venv/bin/python benchmarks/route_identity.py --base 83a4457       # compare with a commit's src
    PYTHONPATH=src .venv/bin/python benchmarks/route_identity.py --write answers.jsonl  # only write this tree's answers
    PYTHONPATH=src .venv/bin/python benchmarks/route_identity.py --against answers.jsonl  # compare with them

The queries: the 8 of ``bench_routing.py`` × conditions typical/free × departures (none, 15 January 2024,
16 July 2025) = 48, plus 150 pairs of places drawn with a fixed seed, each with a seed 0–3, 37/500/1000 draws, one of
the departures and typical or free conditions; one in ten avoids Russia, one in ten has at most 2 transfers, one in ten
goes via a third place drawn alike (some of these have no route: their error message is the answer). Each answer is ``RouteResult.to_dict()`` (every option's legs, via
points and figures, the Pareto set, method and conditions) as JSON with the floats' full repr, or the error message
of a query that has no answer. With ``--base``, the base commit's ``src`` is extracted by ``git archive`` and run in a
fresh process, and every answer is compared with this tree's to the bit; the script exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATES = (None, "2024-01-15", "2025-07-16")
DRAWS = (37, 500, 1000)
RANDOM_PAIRS = 150


def queries() -> list[tuple[str, str, dict]]:
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_routing import EMBEDDED_QUERIES
    from silkway.network import read_dataset

    out = [(o, d, {**kw, "conditions": c, "depart": day}) for o, d, kw in EMBEDDED_QUERIES for c in ("typical", "free") for day in DATES]
    places = sorted(n.name for n in read_dataset().nodes)
    rng = np.random.default_rng(2026)
    for k in range(RANDOM_PAIRS):
        a, b = (places[int(i)] for i in rng.choice(len(places), 2, replace=False))
        kw = {"seed": k % 4, "samples": DRAWS[k % 3], "depart": DATES[k % 3], "conditions": ("typical", "free")[(k // 3) % 2]}
        if k % 10 == 5:
            kw["avoid"] = ["RU"]
        elif k % 10 == 7:
            kw["max_transfers"] = 2
        elif k % 10 == 9:
            kw["via"] = [places[int(rng.integers(len(places)))]]
        out.append((a, b, kw))
    return out


def answers() -> list[str]:
    from silkway import route
    from silkway.errors import SilkwayError
    from silkway.network import read_dataset

    net = read_dataset()
    out = []
    for o, d, kw in queries():
        try:
            out.append(json.dumps(route(net, o, d, **kw).to_dict(), sort_keys=True, default=str))
        except SilkwayError as exc:
            out.append(json.dumps({"error": str(exc)}))
    return out


def _run(src: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, __file__, "--write", "-"], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.splitlines()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="a commit to compare with (its src, in a fresh process)")
    ap.add_argument("--write", help="write this tree's answers, one JSON a line, to this file ('-': standard output)")
    ap.add_argument("--against", help="compare with answers written before by --write (instead of --base)")
    args = ap.parse_args(argv)
    if args.write:
        lines = answers()
        text = "\n".join(lines) + "\n"
        if args.write == "-":
            sys.stdout.write(text)
        else:
            Path(args.write).write_text(text)
        return 0
    if args.against:
        before = Path(args.against).read_text().splitlines()
    elif args.base:
        tmp = Path(tempfile.mkdtemp(prefix="silkway-identity-"))
        try:
            archive = subprocess.run(["git", "archive", args.base, "src"], cwd=ROOT, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
            before = _run(tmp / "src")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    else:
        ap.error("give --base COMMIT, --against FILE or --write FILE")
    after = _run(ROOT / "src")
    qs = queries()
    differ = [k for k, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
    errors = sum('"error"' in x[:10] for x in after)
    print(f"{len(after)} answers ({len(after) - errors} routes, {errors} errors): {len(after) - len(differ)} identical to {args.base or args.against}, "
          f"{len(differ)} differ")
    for k in differ[:10]:
        print(f"  differs: {qs[k][0]} → {qs[k][1]} {qs[k][2]}")
    return 1 if differ or len(before) != len(after) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
