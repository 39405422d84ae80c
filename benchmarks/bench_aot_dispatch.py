"""CPU of the ahead-of-time kernels' dispatch per query: ``aot.type_key`` over the arguments of every kernel call of one
``silkway route Xian Duisburg`` query (typical conditions), the minimum over batches (issue 16, session 8).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_aot_dispatch.py [--batches 15] [--per-batch 50]
"""

from __future__ import annotations

import argparse
import os
import time

import silkway.services.routing as svc
from silkway.routing import aot, jit
from silkway.vocabulary import Objective


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=15)
    ap.add_argument("--per-batch", type=int, default=50)
    args = ap.parse_args()
    router = svc.router_for(None, as_of=None, depart=None)
    q = dict(dataset=None, router=router, conditions="typical", as_of=None, teu=1.0, depart=None, avoid=[], via=[],
             max_transfers=None, objective=Objective.TIME, alternatives=3)
    svc.plan_route("Xian", "Duisburg", **q)
    calls: list[tuple[str, tuple]] = []
    real = jit.LazyKernel.__call__

    def record(self, *a):
        calls.append((self.__name__, a))
        return real(self, *a)

    jit.LazyKernel.__call__ = record
    try:
        svc.plan_route("Xian", "Duisburg", **q)
    finally:
        jit.LazyKernel.__call__ = real
    best = float("inf")
    for _ in range(args.batches):
        t = time.process_time()
        for _ in range(args.per_batch):
            for _, a in calls:
                aot.type_key(a)
        best = min(best, (time.process_time() - t) / args.per_batch)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; ahead-of-time kernels: {aot.status}")
    print(f"{len(calls)} kernel calls ({', '.join(n for n, _ in calls)}), {sum(len(a) for _, a in calls)} arguments: "
          f"type_key {best * 1e6:.0f} us CPU a query (minimum of {args.batches} batches of {args.per_batch})")


if __name__ == "__main__":
    main()
