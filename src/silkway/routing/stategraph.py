"""The state-expanded graph the planner searches, built once per :class:`Network`.

A *state* is (node, platform): where the container is and what it rides on. Platforms are rail on
each gauge, road, and the three water modes. Arcs are

* **move** arcs, one per link direction and platform (a dual-gauge link gives one per gauge). A move
  arc carries its own *steps*: exit customs at the tail when the link crosses a border (the two end
  nodes lie in different countries), the wait for the next departure on scheduled links, the moving
  time, and entry customs at the head;
* **transfer** arcs between platforms at one node, only through a facility that can do it: a gauge
  change 1435↔1520 through a gauge-changing facility, any change to or from a water mode through a
  ``seaport``, rail↔road through a ``terminal``, ``dry_port`` or ``seaport``. A transfer pays the
  facility's handling time and fee and one hub operation of CO2e.

Cost and CO2e are kept per TEU (both are linear in the shipment size). The arcs are kept as Python lists (read
per path by the timeline, corridors and hazards) and compiled once into numpy arrays, :meth:`StateGraph.arrays`: the
CSR (forward star) and its reverse that the compiled searches (:mod:`silkway.routing.kernels`) run on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from silkway.emissions import hub_co2e_kg, intensity, leg_co2e_kg
from silkway.errors import RoutingError
from silkway.network.model import Facility, Link, Network

if TYPE_CHECKING:
    from silkway.routing.regions import Regions

PLATFORMS = ("rail1435", "rail1520", "road", "ferry", "feeder", "sea")
N_PLATFORMS = len(PLATFORMS)
SPN = 2 * N_PLATFORMS  # states per node: each platform, with and without border formalities just done here
WATER = frozenset({"ferry", "feeder", "sea"})
RAIL_ROAD_HUBS = frozenset({"terminal", "dry_port", "seaport"})

MOVE, WAIT, HANDLING, CUSTOMS = "move", "wait", "handling", "customs"


@dataclass(frozen=True, slots=True)
class Step:
    """One timed element of an arc: ``kind`` in move/wait/handling/customs.

    For ``wait`` the time depends on the arrival: departures at ``offset_h + k·period_h`` hours after
    Monday 00:00. Otherwise the duration is lognormal with the given median and P90 (hours)."""

    kind: str
    median_h: float
    p90_h: float
    period_h: float = 0.0
    offset_h: float = 0.0
    facility_id: str | None = None
    cost_usd_per_teu: float = 0.0
    co2e_kg_per_teu: float = 0.0


@dataclass(frozen=True, slots=True)
class Hub:
    """A lift at the origin or destination (load or unload) through a facility."""

    facility_id: str
    median_h: float
    p90_h: float
    cost_usd_per_teu: float
    co2e_kg_per_teu: float


@dataclass(frozen=True, eq=False)
class Arrays:
    """The state graph as arrays: arcs of state ``s`` are ``arcs[indptr[s]:indptr[s+1]]`` in the order of ``out[s]``,
    arcs into ``s`` are ``rarcs[rindptr[s]:rindptr[s+1]]``; per arc its head and tail, the median hours before the
    departure (``pre_h``), the timetable (``period_h`` 0 = continuous, ``offset_h``), the hours after (``post_h``),
    ``fixed_h`` = pre + post (the arc's time without the wait), cost and CO2e per TEU and 1 for a transfer."""

    indptr: np.ndarray
    arcs: np.ndarray
    rindptr: np.ndarray
    rarcs: np.ndarray
    head: np.ndarray
    tail: np.ndarray
    pre_h: np.ndarray
    period_h: np.ndarray
    offset_h: np.ndarray
    post_h: np.ndarray
    fixed_h: np.ndarray
    cost: np.ndarray
    co2e: np.ndarray
    transfer: np.ndarray
    ones: np.ndarray  # float64 1.0 per arc (no penalty)
    zero_words: np.ndarray  # int64 0 per arc (no region rule)
    zero_bound: np.ndarray  # float64 0 per state (no lower bound)


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable").astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr, order


def platform_index(state: int) -> int:
    return (state // 2) % N_PLATFORMS


def platform_of(link: Link, gauge: int | None) -> int:
    if link.mode == "rail":
        return PLATFORMS.index(f"rail{gauge}")
    return PLATFORMS.index(link.mode)


class StateGraph:
    """Arcs as parallel lists; ``out[state]`` lists the arc ids leaving a state."""

    def __init__(self, net: Network):
        self.net = net
        self.node_ids = tuple(n.node_id for n in net.nodes)
        self.node_index = {nid: i for i, nid in enumerate(self.node_ids)}
        self.n_states = len(self.node_ids) * SPN
        self.out: list[list[int]] = [[] for _ in range(self.n_states)]
        self.head: list[int] = []
        self.tail: list[int] = []
        self.link: list[int] = []  # link index, -1 for a transfer
        self.pre_h: list[float] = []  # median hours before the departure (customs, handling)
        self.period_h: list[float] = []  # 0 = continuous service
        self.offset_h: list[float] = []
        self.post_h: list[float] = []  # median hours after departing (moving, entry customs)
        self.cost: list[float] = []  # USD per TEU
        self.co2e: list[float] = []  # kg per TEU
        self.transfer: list[int] = []  # 1 for a transfer arc
        self.steps: list[tuple[Step, ...]] = []
        self.touch_nodes: list[tuple[str, ...]] = []
        self.touch_countries: list[frozenset[str]] = []
        self.arc_mode: list[str] = []
        self.facility: list[str | None] = []
        self._hubs: dict[tuple[str, int], Hub | None] = {}
        self._arrays: Arrays | None = None
        self._hub_rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._words: dict[int, tuple[Any, ...]] = {}  # id(rules) -> (rules, four word arrays)
        self.bounds_cache: dict[tuple[int, int], tuple[np.ndarray, Any]] = {}  # search.lower_bounds per (destination, allowed arcs)
        tpt = net.param.get("tonnes_per_teu")
        hub_kg = net.param.get("transship_co2e_kg_per_teu")
        if tpt is None or hub_kg is None:
            raise RoutingError("the dataset needs the params 'tonnes_per_teu' and 'transship_co2e_kg_per_teu' for routing")
        self.tonnes_per_teu = float(tpt)
        self.hub_kg_per_teu = float(hub_kg)
        for i, lk in enumerate(net.links):
            self._add_link(i, lk)
        for node in net.nodes:
            self._add_transfers(node.node_id)

    def state(self, node_id: str, platform: int, cleared: int = 0) -> int:
        """``cleared`` = 1 right after entering the node across a border (its formalities are done, so
        leaving across another border does not repeat them, e.g. Małaszewicze from BY on to DE)."""
        return self.node_index[node_id] * SPN + platform * 2 + cleared

    def node_of(self, state: int) -> str:
        return self.node_ids[state // SPN]

    def arrays(self) -> Arrays:
        """The arcs as numpy arrays (built on first use, then kept)."""
        if self._arrays is None:

            def f(xs: Sequence[float]) -> np.ndarray:
                return np.asarray(xs, dtype=np.float64)

            head, tail = np.asarray(self.head, dtype=np.int64), np.asarray(self.tail, dtype=np.int64)
            indptr, arcs = _csr(tail, self.n_states)
            rindptr, rarcs = _csr(head, self.n_states)
            pre, post = f(self.pre_h), f(self.post_h)
            self._arrays = Arrays(indptr, arcs, rindptr, rarcs, head, tail, pre, f(self.period_h), f(self.offset_h), post,
                                  pre + post, f(self.cost), f(self.co2e), np.asarray(self.transfer, dtype=np.int64),
                                  np.ones(len(head)), np.zeros(len(head), dtype=np.int64), np.zeros(self.n_states))
        return self._arrays

    def region_words(self, rules: Regions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The region bitmasks of ``rules`` (a :class:`~silkway.routing.regions.Regions` of this graph) as two 64-bit
        words per arc: enter low/high, leave low/high."""
        hit = self._words.get(id(rules))
        if hit is None or hit[0] is not rules:
            if len(rules.names) > 126:
                raise RoutingError(f"the corridor rule handles at most 126 countries and water bodies; this network has "
                                   f"{len(rules.names)}")
            low, high = (1 << 63) - 1, 63

            def words(xs: list[int]) -> tuple[np.ndarray, np.ndarray]:
                return (np.array([x & low for x in xs], dtype=np.int64), np.array([x >> high for x in xs], dtype=np.int64))

            hit = self._words[id(rules)] = (rules, *words(rules.enter), *words(rules.leave))
        return hit[1:]

    # -- building -------------------------------------------------------------------------------------
    def _append(self, tail: int, head: int, steps: tuple[Step, ...], **kw: Any) -> None:
        arc = len(self.head)
        self.out[tail].append(arc)
        self.tail.append(tail)
        self.head.append(head)
        self.steps.append(steps)
        wait = [s for s in steps if s.kind == WAIT]
        before = steps.index(wait[0]) if wait else 0
        self.pre_h.append(sum(s.median_h for s in steps[:before]))
        self.period_h.append(wait[0].period_h if wait else 0.0)
        self.offset_h.append(wait[0].offset_h if wait else 0.0)
        self.post_h.append(sum(s.median_h for s in steps[before:] if s.kind != WAIT))
        for key in ("link", "cost", "co2e", "transfer", "touch_nodes", "touch_countries", "arc_mode", "facility"):
            getattr(self, key).append(kw[key])

    def _customs(self, node_id: str) -> list[Step]:
        """Border formalities at a node: customs of every facility that has them, plus the handling of
        ``border`` facilities (inspection at the border station). A ``border`` facility's fee is paid
        here; other facilities' fees are paid with their handling (transfers, loading)."""
        steps = []
        for f in self.net.facilities_at.get(node_id, ()):
            fee = (f.cost_usd_per_teu or 0.0) if f.facility_kind == "border" else 0.0
            if f.facility_kind == "border" and f.handling_h_median is not None:
                steps.append(Step(HANDLING, f.handling_h_median, _p90(f.handling_h_median, f.handling_h_p90), facility_id=f.facility_id,
                                  cost_usd_per_teu=fee))
                fee = 0.0
            if f.customs_h_median is not None or fee:
                median = f.customs_h_median or 0.0
                steps.append(Step(CUSTOMS, median, _p90(median, f.customs_h_p90), facility_id=f.facility_id, cost_usd_per_teu=fee))
        return steps

    def _add_link(self, i: int, lk: Link) -> None:
        net = self.net
        rate = net.cost_rate(lk.mode, lk.country)
        if rate is None:
            raise RoutingError(f"cost_rates.csv has no rate for mode '{lk.mode}' (link {lk.link_id}, country {lk.country})")
        co2e = leg_co2e_kg(lk.distance_km, self.tonnes_per_teu, intensity(net, lk.mode, lk.energy).co2e_g_per_tkm)
        median = lk.time_h_median
        move = Step(MOVE, median, median * lk.time_p90_factor, cost_usd_per_teu=lk.distance_km * rate.usd_per_teu_km, co2e_kg_per_teu=co2e)
        gauges = (lk.gauge_mm or (1435,)) if lk.mode == "rail" else (None,)
        for a, b in ((lk.from_node, lk.to_node), (lk.to_node, lk.from_node)):
            na, nb = net.node_by_id[a], net.node_by_id[b]
            border = int(na.country != nb.country)
            wait = [Step(WAIT, 0.0, 0.0, 168.0 / lk.departures_per_week, lk.first_departure_h or 0.0)] if lk.departures_per_week else []
            entry = self._customs(b) if border else []
            countries = frozenset((na.country, nb.country, *lk.countries))
            for cleared in (0, 1):
                exit_ = self._customs(a) if border and not cleared else []
                steps = (*exit_, *wait, move, *entry)
                for g in gauges:
                    p = platform_of(lk, g)
                    self._append(self.state(a, p, cleared), self.state(b, p, border), steps, link=i,
                                 cost=sum(x.cost_usd_per_teu for x in steps), co2e=co2e, transfer=0, touch_nodes=(a, b),
                                 touch_countries=countries, arc_mode=lk.mode, facility=None)

    def _add_transfers(self, node_id: str) -> None:
        country = self.net.node_by_id[node_id].country
        for f in self.net.facilities_at.get(node_id, ()):
            for p in range(N_PLATFORMS):
                for q in range(N_PLATFORMS):
                    if p == q or not can_transfer(f, PLATFORMS[p], PLATFORMS[q]):
                        continue
                    median = f.handling_h_median or 0.0
                    step = Step(HANDLING, median, _p90(median, f.handling_h_p90), facility_id=f.facility_id,
                                cost_usd_per_teu=f.cost_usd_per_teu or 0.0, co2e_kg_per_teu=hub_co2e_kg(1.0, self.hub_kg_per_teu))
                    for cleared in (0, 1):
                        self._append(self.state(node_id, p, cleared), self.state(node_id, q, cleared), (step,), link=-1,
                                     cost=step.cost_usd_per_teu, co2e=step.co2e_kg_per_teu, transfer=1, touch_nodes=(node_id,),
                                     touch_countries=frozenset((country,)), arc_mode="", facility=f.facility_id)

    def hub(self, node_id: str, platform: int) -> Hub | None:
        """The facility that loads (origin) or unloads (destination) on ``platform`` at a node, if any."""
        key = (node_id, platform)
        if key not in self._hubs:
            self._hubs[key] = self._find_hub(node_id, platform)
        return self._hubs[key]

    def hub_arrays(self, node: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Loading/unloading at node index ``node`` per platform: (hours, cost, CO2e) arrays, zero where no facility."""
        hit = self._hub_rows.get(node)
        if hit is None:
            out = np.zeros((3, N_PLATFORMS))
            for p in range(N_PLATFORMS):
                hub = self.hub(self.node_ids[node], p)
                if hub is not None:
                    out[:, p] = hub.median_h, hub.cost_usd_per_teu, hub.co2e_kg_per_teu
            hit = self._hub_rows[node] = (out[0], out[1], out[2])
        return hit

    def _find_hub(self, node_id: str, platform: int) -> Hub | None:
        water = PLATFORMS[platform] in WATER
        for f in self.net.facilities_at.get(node_id, ()):
            if f.facility_kind == "seaport" or (not water and f.facility_kind in RAIL_ROAD_HUBS):
                median = f.handling_h_median or 0.0
                return Hub(f.facility_id, median, _p90(median, f.handling_h_p90), f.cost_usd_per_teu or 0.0,
                           hub_co2e_kg(1.0, self.hub_kg_per_teu))
        return None


def can_transfer(f: Facility, a: str, b: str) -> bool:
    """Whether facility ``f`` can move a container from platform ``a`` to platform ``b``."""
    rail = {"rail1435", "rail1520"}
    if {a, b} == rail:
        return f.changes_gauge_to(int(b[4:]))  # a directional yard transships one way only
    if a in WATER or b in WATER:
        return f.facility_kind == "seaport"
    return f.facility_kind in RAIL_ROAD_HUBS  # rail <-> road


def _p90(median: float, p90: float | None) -> float:
    return median if p90 is None else max(p90, median)
