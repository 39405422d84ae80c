"""The product's replication function: one seeded run of ``silkway.simulation.simulate`` → KPIs and,
for the first replications of a study, the details the report plots (queues, transit times, flows).

Runs in worker processes; it receives the scenario's prepared inputs (:class:`SimInputs`) once per
worker and a :class:`~silkway.scenarios.study.Job` per replication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from silkway.scenarios.apply import Applied
from silkway.scenarios.study import Job, ReplicationOutput

if TYPE_CHECKING:  # the simulation package is imported lazily (in the workers)
    from silkway.simulation import SimulationResult

TRANSIT_BIN_DAYS = 0.5


@dataclass(frozen=True)
class SimInputs:
    """A scenario applied (network, demand, options) and the links of each demand flow's route."""

    applied: Applied
    route_links: dict[str, tuple[str, ...]]  # flow_id → link ids of its route (for the flow map)


def sim_inputs(applied: Applied) -> SimInputs:
    """Plan the scenario's routes once (in the parent) so every replication can map trains to links."""
    from silkway.simulation.plan import build

    _, routes = build(applied.network, applied.demand, applied.options)
    return SimInputs(applied, {r.flow.flow_id: tuple(leg.link_id for leg in r.path.legs) for r in routes})


def simulate_replication(job: Job, inputs: SimInputs) -> ReplicationOutput:
    from silkway.simulation import simulate

    net, demand, options = inputs.applied
    result = simulate(net, demand, days=job.days, seed=job.seed, options=options)
    details = _details(result, inputs.route_links) if job.detail else None
    return ReplicationOutput(result.kpis(), details)


def _details(result: SimulationResult, route_links: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    return pd.concat([_queues(result), _transit(result), _flows(result, route_links)], ignore_index=True)


def _queues(result: SimulationResult) -> pd.DataFrame:
    """Daily maximum queue (trains) per handling and quay station over the reported period (the web map places these
    at their facility's node; link stations, sampled for simulate's own plot, are left out here)."""
    q = result.facilities
    key = "facility" if "facility" in q.columns else "station_id"
    st = result.stations
    q = q[(q["time_day"] >= 0) & q["station_id"].isin(st.loc[st["kind"].isin(["handling", "quay"]), "station_id"])]
    daily = (q.assign(day=np.floor(q["time_day"]))
             .groupby([key, "day"], observed=True, as_index=False)["queue_trains"].max())
    return pd.DataFrame({"kind": "queue", "key": daily[key].astype(str), "x": daily["day"].astype(float),
                         "y": daily["queue_trains"].astype(float)})


def _transit(result: SimulationResult) -> pd.DataFrame:
    """TEU delivered in the reported period by corridor and transit time (0.5-day bins)."""
    sh = result.shipments
    done = sh[(sh["created_day"] >= 0) & sh["delivered_day"].notna() & (sh["delivered_day"] <= result.days)]
    bins = np.floor(done["transit_days"] / TRANSIT_BIN_DAYS) * TRANSIT_BIN_DAYS + TRANSIT_BIN_DAYS / 2
    g = done.assign(bin=bins).groupby(["corridor", "bin"], observed=True, as_index=False)["teu"].sum()
    return pd.DataFrame({"kind": "transit", "key": g["corridor"].astype(str), "x": g["bin"].astype(float),
                         "y": g["teu"].astype(float)})


def _flows(result: SimulationResult, route_links: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """TEU carried per link by the trains that departed in the reported period."""
    tr = result.trains
    tr = tr[(tr["departed_day"] >= 0) & (tr["departed_day"] <= result.days)]
    per_flow = tr.groupby("flow_id", observed=True)["load_teu"].sum()
    teu: dict[str, float] = {}
    for flow_id, load in per_flow.items():
        for link_id in route_links.get(str(flow_id), ()):
            teu[link_id] = teu.get(link_id, 0.0) + float(load)
    return pd.DataFrame({"kind": "flow", "key": list(teu), "x": 0.0, "y": list(teu.values())})
