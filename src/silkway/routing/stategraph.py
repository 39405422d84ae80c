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

Cost and CO2e are kept per TEU (both are linear in the shipment size). The arcs are numpy arrays built vectorised from
the network's compiled columns (:mod:`silkway.network.graph`), with no Python per link except on border crossings
(their customs steps) and per facility (transfers); an arc's steps are rebuilt on demand from the same columns.
:meth:`StateGraph.arrays` gives the CSR (forward star) and its reverse that the compiled searches
(:mod:`silkway.routing.kernels`) run on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from silkway.emissions import hub_co2e_kg, intensity, leg_co2e_kg
from silkway.errors import RoutingError
from silkway.network.graph import compiled
from silkway.network.model import Facility, Link, Network
from silkway.network.schema import MODES
from silkway.routing import graphstore
from silkway.routing.workspace import ArcRows, Scratch, groups

if TYPE_CHECKING:
    from silkway.routing.contract import Skeleton
    from silkway.routing.regions import Regions

PLATFORMS = ("rail1435", "rail1520", "road", "ferry", "feeder", "sea")
N_PLATFORMS = len(PLATFORMS)
SPN = 2 * N_PLATFORMS  # states per node: each platform, with and without border formalities just done here
CONTRACT_MIN_NODES = 5_000  # from this many nodes on the searches run on the skeleton of contracted chains
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
    zero_bound: np.ndarray  # float64 0 per state
    zero_index: np.ndarray  # int64 0 per state: every state's row in a bound of one row (search.NO_BOUND: none)

    @classmethod
    def of(cls, indptr: np.ndarray, arcs: np.ndarray, rindptr: np.ndarray, rarcs: np.ndarray, head: np.ndarray,
           tail: np.ndarray, pre_h: np.ndarray, period_h: np.ndarray, offset_h: np.ndarray, post_h: np.ndarray,
           cost: np.ndarray, co2e: np.ndarray, transfer: np.ndarray, n_states: int) -> Arrays:
        """The arrays of a graph's arcs with what follows from them: ``fixed_h`` and the searches' constant inputs."""
        n = len(head)
        return cls(indptr, arcs, rindptr, rarcs, head, tail, pre_h, period_h, offset_h, post_h, pre_h + post_h, cost, co2e,
                   transfer, np.ones(n), np.zeros(n, dtype=np.int64), np.zeros(n_states), np.zeros(n_states, dtype=np.int64))


def csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
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
    """The arcs as parallel numpy arrays (``head``, ``tail``, ``link``, ``pre_h`` …), built vectorised from the network's
    compiled columns (:func:`silkway.network.graph.compiled`); ``out[state]`` lists the arc ids leaving a state and
    ``steps[arc]`` gives an arc's steps (built on demand from the same columns)."""

    def __init__(self, net: Network, contract_chains: bool | None = None):
        """``contract_chains``: search a skeleton with degree-2 chains contracted (:mod:`silkway.routing.contract`);
        None = when the network has at least :data:`CONTRACT_MIN_NODES` nodes (the answers are the same either way)."""
        self.net = net
        cn = self.compiled = compiled(net)
        self.node_ids = cn.node_ids
        self.node_index = cn.node_index
        self.n_states = len(self.node_ids) * SPN
        self._hubs: dict[tuple[str, int], Hub | None] = {}
        self._arrays: Arrays | None = None
        self._hub_rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._words: dict[int, tuple[Any, ...]] = {}  # id(rules) -> (rules, four word arrays)
        self._customs_at: dict[int, list[Step]] = {}
        self.scratch = Scratch()  # the searches' reusable per-state arrays
        self.bounds_cache: dict[tuple[int, ...], tuple[np.ndarray, Any]] = {}  # search.lower_bounds per (destination, allowed arcs)
        tpt = net.param.get("tonnes_per_teu")
        hub_kg = net.param.get("transship_co2e_kg_per_teu")
        if tpt is None or hub_kg is None:
            raise RoutingError("the dataset needs the params 'tonnes_per_teu' and 'transship_co2e_kg_per_teu' for routing")
        self.tonnes_per_teu = float(tpt)
        self.hub_kg_per_teu = float(hub_kg)
        if contract_chains is None:
            contract_chains = cn.n_nodes >= CONTRACT_MIN_NODES
        self.skeleton: Skeleton | None = None
        if not graphstore.restore(self, contract_chains):  # a big cached dataset's graph, built by an earlier command
            self._link_rates()
            self._build()
            if contract_chains:
                from silkway.routing import contract  # numba: only for the networks that contract

                self.skeleton = contract.build(self)
            graphstore.keep(self, contract_chains)
        self.out: Sequence[np.ndarray] = ArcRows(lambda s: self._out_arcs[self._out_ptr[s]:self._out_ptr[s + 1]], self.n_states)
        self.steps: Sequence[tuple[Step, ...]] = ArcRows(self._steps_of, len(self.head))

    def state(self, node_id: str, platform: int, cleared: int = 0) -> int:
        """``cleared`` = 1 right after entering the node across a border (its formalities are done, so
        leaving across another border does not repeat them, e.g. Małaszewicze from BY on to DE)."""
        return self.node_index[node_id] * SPN + platform * 2 + cleared

    def node_of(self, state: int) -> str:
        return self.node_ids[state // SPN]

    def arrays(self) -> Arrays:
        """The arcs as numpy arrays (built on first use, then kept)."""
        if self._arrays is None:

            def f(xs: Sequence[float] | np.ndarray) -> np.ndarray:
                return np.asarray(xs, dtype=np.float64)

            head, tail = np.asarray(self.head, dtype=np.int64), np.asarray(self.tail, dtype=np.int64)
            rindptr, rarcs = csr(head, self.n_states)
            pre, post = f(self.pre_h), f(self.post_h)
            self._arrays = Arrays.of(self._out_ptr, self._out_arcs, rindptr, rarcs, head, tail, pre, f(self.period_h),
                                     f(self.offset_h), post, f(self.cost), f(self.co2e),
                                     np.asarray(self.transfer, dtype=np.int64), self.n_states)
        return self._arrays

    def region_words(self, rules: Regions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The region bitmasks of ``rules`` (a :class:`~silkway.routing.regions.Regions` of this graph) as two 64-bit
        words per arc: enter low/high, leave low/high."""
        if len(rules.names) > 126:
            raise RoutingError(f"the corridor rule handles at most 126 countries and water bodies; this network has "
                               f"{len(rules.names)}")
        return rules.enter0, rules.enter1, rules.leave0, rules.leave1

    def allowed_mask(self, nodes: frozenset[str], countries: frozenset[str], modes: frozenset[str]) -> np.ndarray:
        """bool per arc: False when the arc touches an avoided node, a node in an avoided country, a link in (or
        through) an avoided country or of an avoided mode."""
        cn = self.compiled
        ok = cn.link_mask(nodes, countries, modes)[np.maximum(self.link, 0)]
        transfer = self.link < 0
        ok[transfer] = ~cn.node_blocked(nodes, countries)[self.tail[transfer] // SPN]
        return np.asarray(ok, dtype=np.bool_)

    # -- building -------------------------------------------------------------------------------------
    def _link_rates(self) -> None:
        """Per link: cost per TEU-km and CO2e g per t-km, looked up once per distinct (mode, country) and (mode,
        energy); the first link without one names the gap."""
        net, cn = self.net, self.compiled
        m = cn.n_links
        rate = np.empty(m)
        gkm = np.empty(m)
        missing_rate = np.zeros(m, dtype=np.bool_)
        missing_ef = np.zeros(m, dtype=np.bool_)
        for (md, lc), rows in groups(cn.mode.astype(np.int64) * 65536 + cn.link_country, m):
            r = net.cost_rate(MODES[md], cn.link_countries[lc])
            missing_rate[rows] = r is None
            rate[rows] = r.usd_per_teu_km if r is not None else np.nan
        for (md, en), rows in groups(cn.mode.astype(np.int64) * 65536 + cn.energy, m):
            ef = net.emission_factor(MODES[md], cn.energies[en])
            missing_ef[rows] = ef is None
            gkm[rows] = ef.co2e_g_per_tkm if ef is not None else np.nan
        bad = np.flatnonzero(missing_rate | missing_ef)
        if len(bad):
            i = int(bad[0])
            mode, country = MODES[cn.mode[i]], cn.link_countries[cn.link_country[i]]
            if missing_rate[i]:
                raise RoutingError(f"cost_rates.csv has no rate for mode '{mode}' (link {cn.link_ids[i]}, country {country})")
            intensity(net, mode, cn.energies[cn.energy[i]])  # raises its own message
        self.move_cost = cn.distance_km * rate  # USD per TEU, as Step.cost_usd_per_teu of the move
        self.move_co2e = np.asarray(leg_co2e_kg(cn.distance_km, self.tonnes_per_teu, gkm))  # type: ignore[arg-type]  # element-wise
        self.move_p90 = cn.time_h_median * cn.time_p90_factor
        dep = cn.departures_per_week
        sched = ~np.isnan(dep) & (dep != 0)
        self.link_period = np.where(sched, 168.0 / np.where(sched, dep, 1.0), 0.0)
        self.link_offset = np.where(sched & ~np.isnan(cn.first_departure_h), cn.first_departure_h, 0.0)
        self.link_offset[~sched] = 0.0

    def _build(self) -> None:
        """Move arcs link by link (per direction, then not/already cleared, then the link's gauges in the dataset's
        order), then transfer arcs node by node: the arc numbering of the per-link construction, vectorised."""
        cn = self.compiled
        m = cn.n_links
        rail = cn.mode == MODES.index("rail")
        k = np.where(rail & (cn.gauge_bits == 3), 2, 1).astype(np.int64)
        plat_of_mode = np.array([PLATFORMS.index(x) if x in PLATFORMS else -1 for x in MODES], dtype=np.int64)
        plat0 = np.where(rail, np.where(cn.first_gauge == 1520, 1, 0), plat_of_mode[cn.mode])
        plat1 = np.where(rail & (cn.gauge_bits == 3), 1 - plat0, plat0)
        counts = 4 * k
        n_move = int(counts.sum())
        link = np.repeat(np.arange(m, dtype=np.int64), counts)
        j = np.arange(n_move, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        kk = k[link]
        direction, cleared, slot = j // (2 * kk), (j // kk) % 2, j % kk
        plat = np.where(slot == 0, plat0[link], plat1[link])
        frm, to = cn.link_from[link].astype(np.int64), cn.link_to[link].astype(np.int64)
        a = np.where(direction == 0, frm, to)
        b = np.where(direction == 0, to, frm)
        border = (cn.country[a] != cn.country[b]).astype(np.int64)
        tail = a * SPN + plat * 2 + cleared
        head = b * SPN + plat * 2 + border
        pre = np.zeros(n_move)
        post = cn.time_h_median[link].copy()
        cost = self.move_cost[link].copy()
        for arc in np.flatnonzero(border).tolist():  # border arcs: customs steps around the move, summed as listed
            steps = self._link_steps(int(link[arc]), int(a[arc]), int(b[arc]), True, int(cleared[arc]))
            pre[arc], post[arc], cost[arc] = _split(steps)
        tr_tail, tr_head, tr_fac, tr_cost, tr_post = [], [], [], [], []
        hub_co2e = hub_co2e_kg(1.0, self.hub_kg_per_teu)
        at = self.net.facilities_at
        for node in sorted(cn.node_index[nid] for nid in at if nid in cn.node_index):
            for f in at[cn.node_ids[node]]:
                for p in range(N_PLATFORMS):
                    for q in range(N_PLATFORMS):
                        if p == q or not can_transfer(f, PLATFORMS[p], PLATFORMS[q]):
                            continue
                        for c in (0, 1):
                            tr_tail.append(node * SPN + p * 2 + c)
                            tr_head.append(node * SPN + q * 2 + c)
                            tr_fac.append(f)
                            tr_cost.append(f.cost_usd_per_teu or 0.0)
                            tr_post.append(0 + (f.handling_h_median or 0.0))
        n_tr = len(tr_tail)
        self._n_move = n_move
        self._transfer_facility = tr_fac
        self.tail = np.concatenate([tail, np.asarray(tr_tail, dtype=np.int64)])
        self.head = np.concatenate([head, np.asarray(tr_head, dtype=np.int64)])
        self.link = np.concatenate([link, np.full(n_tr, -1, dtype=np.int64)])  # link index, -1 for a transfer
        self.pre_h = np.concatenate([pre, np.zeros(n_tr)])  # median hours before the departure (customs, handling)
        self.period_h = np.concatenate([self.link_period[link], np.zeros(n_tr)])  # 0 = continuous service
        self.offset_h = np.concatenate([self.link_offset[link], np.zeros(n_tr)])
        self.post_h = np.concatenate([post, np.asarray(tr_post, dtype=np.float64)])  # median hours after departing
        self.cost = np.concatenate([cost, np.asarray(tr_cost, dtype=np.float64)])  # USD per TEU
        self.co2e = np.concatenate([self.move_co2e[link], np.full(n_tr, hub_co2e)])  # kg per TEU
        self.transfer = np.concatenate([np.zeros(n_move, dtype=np.int64), np.ones(n_tr, dtype=np.int64)])
        self._out_ptr, self._out_arcs = csr(self.tail, self.n_states)

    def _customs(self, node: int) -> list[Step]:
        """Border formalities at a node: customs of every facility that has them, plus the handling of
        ``border`` facilities (inspection at the border station). A ``border`` facility's fee is paid
        here; other facilities' fees are paid with their handling (transfers, loading)."""
        hit = self._customs_at.get(node)
        if hit is not None:
            return hit
        steps = []
        for f in self.net.facilities_at.get(self.node_ids[node], ()):
            fee = (f.cost_usd_per_teu or 0.0) if f.facility_kind == "border" else 0.0
            if f.facility_kind == "border" and f.handling_h_median is not None:
                steps.append(Step(HANDLING, f.handling_h_median, _p90(f.handling_h_median, f.handling_h_p90), facility_id=f.facility_id,
                                  cost_usd_per_teu=fee))
                fee = 0.0
            if f.customs_h_median is not None or fee:
                median = f.customs_h_median or 0.0
                steps.append(Step(CUSTOMS, median, _p90(median, f.customs_h_p90), facility_id=f.facility_id, cost_usd_per_teu=fee))
        self._customs_at[node] = steps
        return steps

    def _link_steps(self, i: int, a: int, b: int, border: bool, cleared: int) -> tuple[Step, ...]:
        """The steps of link ``i`` travelled from node ``a`` to node ``b``: exit customs (a border crossed and not
        cleared on arrival), the wait for a departure, the move, entry customs."""
        cn = self.compiled
        median = float(cn.time_h_median[i])
        move = Step(MOVE, median, float(self.move_p90[i]), cost_usd_per_teu=float(self.move_cost[i]),
                    co2e_kg_per_teu=float(self.move_co2e[i]))
        period = float(self.link_period[i])
        wait = [Step(WAIT, 0.0, 0.0, period, float(self.link_offset[i]))] if period else []
        exit_ = self._customs(a) if border and not cleared else []
        entry = self._customs(b) if border else []
        return (*exit_, *wait, move, *entry)

    def _steps_of(self, arc: int) -> tuple[Step, ...]:
        if arc >= self._n_move:
            f = self._transfer_facility[arc - self._n_move]
            median = f.handling_h_median or 0.0
            return (Step(HANDLING, median, _p90(median, f.handling_h_p90), facility_id=f.facility_id,
                         cost_usd_per_teu=f.cost_usd_per_teu or 0.0, co2e_kg_per_teu=hub_co2e_kg(1.0, self.hub_kg_per_teu)),)
        a, b = int(self.tail[arc]) // SPN, int(self.head[arc]) // SPN
        country = self.compiled.country
        return self._link_steps(int(self.link[arc]), a, b, bool(country[a] != country[b]), int(self.tail[arc]) % 2)

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


def _split(steps: tuple[Step, ...]) -> tuple[float, float, float]:
    """(hours before the departure, hours after it, cost) of an arc's steps, summed in their order."""
    wait = [s for s in steps if s.kind == WAIT]
    before = steps.index(wait[0]) if wait else 0
    return (sum(s.median_h for s in steps[:before]), sum(s.median_h for s in steps[before:] if s.kind != WAIT),
            sum(x.cost_usd_per_teu for x in steps))


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
