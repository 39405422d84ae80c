"""Fixtures of the capacity tests: the tiny dataset read once, and helpers to edit it in memory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from silkway.network import Network, read_dataset
from silkway.network.model import Background, Closure
from silkway.simulation import Demand
from silkway.simulation.demand import Flow

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="session")
def tiny() -> Network:
    """west —l1 (double, 20/d)— gate_cn [border 12/d, yard 10/d + 1000 TEU/d] —l2 (single, 10/d each way)— gate_kz
    [border 12/d] —l3 (single, 12/d)— harbour [port 500 TEU/d] —l4 ferry (1/week × 100 TEU)— isle [port 500 TEU/d]."""
    return read_dataset(FIXTURES / "tiny")


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
