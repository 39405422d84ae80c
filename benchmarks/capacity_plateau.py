"""Verification table of docs/capacity.md: each corridor and direction of the embedded dataset (as of 2023-06-30) alone
at 3 × its analytic capacity, 120 days, seed 1 (the set-up of tests/capacity/test_plateau.py): delivered trains/day of its
own rows without booking (the kernel's physical capacity), and with booking (delivered cargo on any route labelled with
the corridor). Run: ``PYTHONPATH=src python benchmarks/capacity_plateau.py``."""

from __future__ import annotations

from silkway.capacity import Direction, analyse
from silkway.network import read_dataset
from silkway.simulation import Demand, SimOptions, dataset_demand, simulate


def main() -> None:
    net = read_dataset(None, as_of="2023-06-30")
    full = dataset_demand(None, net)
    nodes = net.node_by_id
    print("| corridor | direction | analytic trains/day | analytic TEU/yr | binding | sim, no booking | Δ | sim, booking "
          "(corridor label) | Δ | refused+diverted share |")
    for c in ("kz", "northern", "middle", "kti"):
        for d in Direction:
            flows = Demand(tuple(f for f in full.flows
                                 if f.corridor == c and Direction.of(nodes[f.origin].lon, nodes[f.destination].lon) == d))
            cap = analyse(net, flows, SimOptions(booking=False)).corridor(c, d)  # the routes the no-booking run uses
            dem = flows.scaled(3.0 * cap.trains_day / cap.demand_trains_day)
            ids = {f.flow_id for f in flows.flows}
            out = []
            for opts in (SimOptions(booking=False), SimOptions()):
                r = simulate(net, dem, days=120, seed=1, options=opts)
                sh = r.shipments
                done = sh[(sh.delivered_day >= 0) & (sh.delivered_day <= r.days)]
                sel = done[done.corridor == c] if opts.booking else done[done.flow_id.isin(ids)]
                out.append(float(sel.teu.sum()) / r.days / 100)
            k = r.kpis()
            excess = (k["refused_teu"] + k["diverted_teu"]) / k["generated_teu"]
            print(f"| {c} | {d.value} | {cap.trains_day:.2f} | {cap.teu_year:,.0f} | {', '.join(cap.binding)} | {out[0]:.2f} | "
                  f"{out[0] / cap.trains_day - 1:+.0%} | {out[1]:.2f} | {out[1] / cap.trains_day - 1:+.0%} | {excess:.0%} |", flush=True)


if __name__ == "__main__":
    main()
