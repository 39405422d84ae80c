"""Helpers of the capacity tests: edit a network in memory, write a demand, a background row."""

from __future__ import annotations

from dataclasses import replace

from silkway.network import Network
from silkway.network.model import Background, Closure
from silkway.simulation import Demand
from silkway.simulation.demand import Flow


def edit(net: Network, *, links: dict[str, dict] | None = None, facilities: dict[str, dict] | None = None,
         background: tuple[Background, ...] = (), closures: tuple[Closure, ...] | None = None) -> Network:
    """A copy of ``net`` with fields of some links/facilities changed and the background/closure rows given."""
    links, facilities = links or {}, facilities or {}
    return replace(net, links=tuple(replace(lk, **links.get(lk.link_id, {})) for lk in net.links),
                   facilities=tuple(replace(f, **facilities.get(f.facility_id, {})) for f in net.facilities),
                   background=background, closures=net.closures if closures is None else closures)


def demand(*rows: tuple[str, str, float]) -> Demand:
    """Flows (origin, destination, TEU/week) on one corridor label, ``test``."""
    return Demand(tuple(Flow(f"{o}_{d}", o, d, "test", teu) for o, d, teu in rows))


def bg(kind: str, target: str, *, trains: float | None = None, wagons: float | None = None, direction: str = "both") -> Background:
    return Background(f"bg_{target}", kind, target, direction, "bulk", "reserved", trains_day=trains, wagons_week=wagons, tonnes_per_wagon=60)


def single_track_binds(tiny: Network) -> Network:
    """Everything roomy but l2 (single track, 10 trains/day each way, 1 background train/day each way → one gate of 18/day)."""
    return edit(tiny, links={"l1": {"capacity_trains_day": 40.0}, "l3": {"capacity_trains_day": 100.0}},
                facilities={"port_harbour": {"capacity_teu_day": 5000.0}, "gc_gate": {"capacity_trains_day": 100.0, "capacity_teu_day": None},
                            "bd_gate_cn": {"capacity_trains_day": 100.0}, "bd_gate_kz": {"capacity_trains_day": 100.0}},
                background=(bg("link", "l2", trains=1.0),))
