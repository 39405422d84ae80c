"""Searches over the state graph: the exact Pareto set and a single-key search for alternatives.

Time is absolute: hours after Monday 00:00 of the departure week, so scheduled arcs wait for their
next departure. Waiting is allowed anywhere, so arrival times are FIFO and a label that is no better
in (time, cost, CO2e[, transfers]) than another at the same state can be discarded: the Pareto
label-setting is exact (checked against brute-force enumeration in the tests). Both searches run compiled
(:mod:`silkway.routing.kernels`, :mod:`silkway.routing.paretokernel`) over the graph's arrays (:meth:`StateGraph.arrays`), with per-criterion lower bounds
to the destination from reverse searches (:func:`lower_bounds`) to drop labels that cannot reach the Pareto set.

The search is exact unless a query gets large: on a network of at least :data:`LARGE_NODES` nodes, or once it has
made more than :data:`MAX_LABELS` labels, or found more than :data:`MAX_FRONT` Pareto routes, it goes on with
ε-dominance (ε = :data:`FRONT_EPS`), within the bags of the states and against the routes found: every route of the
exact Pareto set then has a returned route no worse than (1 + ε) × its time since departure, cost and CO2e (the
argument: :mod:`silkway.routing.paretokernel`, docs/routing.md "Large networks"). Once on, ε doubles each time the
query's labels double past :data:`WIDEN_LABELS`, up to :data:`MAX_EPS`; the guarantee is then the final ε's.
:attr:`Front.eps` (the final ε) and :attr:`Front.reason` say whether and why that happened (0.0 and "": the set is
exact).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import numpy as np

from silkway.routing import boundkernel, contract, kernels, paretokernel
from silkway.routing.regions import Regions
from silkway.routing.stategraph import N_PLATFORMS, SPN, Arrays, StateGraph

EPS = 1e-9
INF = float("inf")
MAX_FRONT = 64  # Pareto routes of one query before ε-dominance sets in
MAX_LABELS = 200_000  # labels of one query before ε-dominance sets in
LARGE_NODES = 50_000  # networks of at least this many nodes search with ε-dominance from the start
FRONT_EPS = 0.01  # ε of the guarantee: every exact Pareto route has a returned one within 1 % on each criterion
WIDEN_LABELS = 100_000  # once ε is on, it doubles when the labels pass this many, then twice, four times as many…
# On a large network the corridor rule's search stops when it has found no route within this many labels (then the
# planner searches without the rule, and says so). Proving that no route obeys the rule means exhausting every label
# (masks of countries left keep labels apart): 20 million labels, 60 s, for a 1M-node query whose via point lies
# beyond a country it must cross again; the first route of a query that has one comes within ≈ 100,000 labels.
GIVE_UP_LABELS = 2_000_000
MAX_EPS = 0.16  # … up to this ε
REACH = 1.0  # on large networks the lower bounds' searches stop past REACH × the bound of the query's start (lower_bounds)
NO_VIA = np.empty(0, dtype=np.int64)


def next_departure(t: float, period_h: float, offset_h: float) -> float:
    """First departure at or after ``t`` of a service leaving at ``offset_h + k·period_h``."""
    return offset_h + math.ceil((t - offset_h) / period_h - EPS) * period_h


def arc_time(g: StateGraph, a: int, t: float) -> float:
    t += float(g.pre_h[a])
    if g.period_h[a]:
        t = next_departure(t, float(g.period_h[a]), float(g.offset_h[a]))
    return t + float(g.post_h[a])


class Bounds(NamedTuple):
    """Lower bounds to a destination (:func:`lower_bounds`): a state's time (h), cost (USD) and CO2e (kg per TEU) are in
    row ``row[state]`` of ``time``, ``cost`` and ``co2e`` (one row per state with an allowed arc, and a last row of
    inf for the others), so a query does not fill three arrays as long as every state."""

    time: np.ndarray
    cost: np.ndarray
    co2e: np.ndarray
    row: np.ndarray

    def per_state(self, k: int) -> np.ndarray:
        """Criterion ``k`` (0 time, 1 cost, 2 CO2e) as an array over every state."""
        return np.asarray(self[k][self.row])


NO_BOUND = np.zeros(1)  # a bound of one row, 0: with Arrays.zero_index, no lower bound


@dataclass(frozen=True, slots=True)
class Path:
    """A route through the state graph with its nominal criteria (all steps at their median)."""

    start_state: int
    arcs: tuple[int, ...]
    end_state: int
    arrival_h: float  # absolute, after Monday 00:00, unload included
    cost_usd_per_teu: float
    co2e_kg_per_teu: float
    transfers: int


@dataclass(frozen=True, slots=True)
class Query:
    origin: int  # node index
    dest: int
    depart_h: float
    via: tuple[int, ...] = ()
    max_transfers: int | None = None


@dataclass(frozen=True, slots=True)
class Front:
    """The Pareto routes of a query, fastest first; ``eps`` > 0 when the set was thinned by ε-dominance, and
    ``reason`` says why ("" when exact)."""

    paths: list[Path]
    eps: float
    labels: int  # labels created by the search (a measure of its work)
    reason: str = ""
    gave_up: bool = False  # no route found within GIVE_UP_LABELS labels (the corridor rule's search on a large network)

    @property
    def note(self) -> str:
        """One sentence for an answer's method: which ε and why, with its guarantee ("" when exact)."""
        if not self.eps:
            return ""
        return (f"the Pareto set was thinned by ε-dominance (ε = {self.eps:g}) because {self.reason}: every exact Pareto "
                f"route has one here within {self.eps * 100:g}% on each of time since departure, cost and CO2e")


KEPT = 16  # results a graph keeps per (destination or kind, allowed arcs): the least recently used goes first
BOUNDS_FLOATS = 1 << 25  # floats the kept lower bounds may hold (256 MiB): at a million nodes one query's, not 16


def _cached(cache: dict[tuple[int, ...], tuple[np.ndarray, object]], key: tuple[int, ...], ok: np.ndarray) -> object | None:
    """What the graph keeps under ``key`` for this very allowed-arcs array (None: nothing), marked as just used. The
    web app's threads share a router: every step is one dict operation (atomic under the GIL), none fails when another
    thread got there first."""
    hit = cache.get(key)
    if hit is None or hit[0] is not ok:
        return None
    cache.pop(key, None)
    cache[key] = hit
    return hit[1]


def _store(cache: dict[tuple[int, ...], tuple[np.ndarray, object]], key: tuple[int, ...], ok: np.ndarray, value: object,
           per_state: int = 0) -> None:
    """Keep ``value`` under ``key``, the least recently used going first: at most :data:`KEPT` results, and of those
    holding ``per_state`` floats per state (the lower bounds: 3) at most as many as :data:`BOUNDS_FLOATS` allows
    (thread-safe as :func:`_cached`)."""
    keys = list(cache)  # a copy taken in one step
    if per_state:
        n_states = int(cast(tuple[np.ndarray, ...], value)[0].shape[-1])  # the states with an allowed arc (columns)
        room = max(1, BOUNDS_FLOATS // max(1, per_state * n_states)) - 1
        bounds = [k for k in keys if k[0] >= 0]  # the bounds' keys start with their destination (≥ 0)
        for k in bounds[:max(0, len(bounds) - room)]:
            cache.pop(k, None)
    for k in keys[:max(0, len(keys) - KEPT + 1)]:
        cache.pop(k, None)
    cache[key] = (ok, value)


def _allowed(allowed: np.ndarray | Sequence[bool]) -> np.ndarray:
    return allowed if isinstance(allowed, np.ndarray) else np.asarray(allowed, dtype=np.bool_)


def _start(g: StateGraph, ar: Arrays, q: Query, ok: np.ndarray) -> tuple[np.ndarray, ...]:
    """Start labels: one per platform with an allowed arc at the origin, after loading where a facility does it."""
    states = q.origin * SPN + 2 * np.arange(N_PLATFORMS, dtype=np.int64)
    used = _has_allowed_arc(g, ar, ok)[states]
    hub = g.hub_arrays(q.origin)
    return states[used], q.depart_h + hub[0][used], hub[1][used], hub[2][used]


def _has_allowed_arc(g: StateGraph, ar: Arrays, ok: np.ndarray) -> np.ndarray:
    """Per state: does it have an allowed outgoing arc? Kept on the graph per allowed-arcs array (the Pareto search and
    the corridor searches of one query share it), a few at a time, like the lower bounds."""
    key = (-1, id(ok))
    hit = _cached(g.bounds_cache, key, ok)
    if hit is not None:
        return cast(np.ndarray, hit)
    has = np.zeros(g.n_states, dtype=np.bool_)
    has[ar.tail[ok]] = True  # the arcs leaving a state are those whose tail it is
    _store(g.bounds_cache, key, ok, has)
    return cast(np.ndarray, has)


def _finish(g: StateGraph, dest: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unloading at the destination per platform (time, cost, CO2e; zero where no facility does it)."""
    return g.hub_arrays(dest)


def _ends(g: StateGraph, ar: Arrays, q: Query, ok: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray, int]:
    """What every search of ``q`` starts from and ends with: the start labels, the unloading at the destination, the
    via points as an array and the number of via layers."""
    via = np.array(q.via, dtype=np.int64) if q.via else NO_VIA
    return _start(g, ar, q, ok), _finish(g, q.dest), via, len(q.via) + 1


def _first_layer(q: Query) -> int:
    layer = 0
    while layer < len(q.via) and q.via[layer] == q.origin:
        layer += 1
    return layer


def lower_bounds(g: StateGraph, dest: int, allowed: np.ndarray | Sequence[bool], compute: bool = True,
                 ar: Arrays | None = None, near: np.ndarray | None = None) -> Bounds | None:
    """Per state, lower bounds on the time (hours, waits for departures left out), cost and CO2e per TEU of any way
    on to node ``dest`` over the allowed arcs, unloading included (inf: no way). Kept on the graph per (destination,
    allowed arcs[, near]), a few at a time; with ``compute=False`` only a kept result is returned (else None). ``ar``:
    the arrays ``allowed`` flags (the skeleton's, :func:`silkway.routing.contract.space`), else the full graph's.

    The reverse searches run over the states that have an allowed arc, numbered afresh (:func:`_reverse_states`): the
    same bounds as over every state, with arrays a few times smaller; they stay in that numbering (:class:`Bounds`).

    ``near``: a query's start states. Each reverse search then stops once it has passed :data:`REACH` × the bound of
    the farthest of them, and every state it did not settle gets the key it stopped at: Dijkstra settles states in
    order of their distance, so none of those is nearer (a lower bound, only a looser one far from the query; a
    state that cannot reach the destination may get a finite bound and is then searched, not skipped)."""
    ok = _allowed(allowed)
    key: tuple[int, ...] = (dest, id(ok)) if near is None else (dest, id(ok), *near.tolist())
    hit = _cached(g.bounds_cache, key, ok)
    if hit is not None:
        return cast(Bounds, hit)
    if not compute:
        return None
    ar = g.arrays() if ar is None else ar
    fin = _finish(g, dest)
    n_used, cid, indptr, other, wt, wc, we = _reverse_states(g, ar, ok)
    seeds = np.arange(dest * SPN, (dest + 1) * SPN, dtype=np.int64)
    plat = (seeds // 2) % N_PLATFORMS
    keep = cid[seeds] < n_used
    goal = NO_VIA if near is None else cid[near][cid[near] < n_used]
    lt, lc, le = boundkernel.bounds(indptr, other, wt, wc, we, cid[seeds[keep]], fin[0][plat[keep]], fin[1][plat[keep]],
                                    fin[2][plat[keep]], n_used + 1, goal, 0.0 if near is None else REACH)
    for x in (lt, lc, le):
        x[-1] = np.inf  # the row of the states without an allowed arc (a search cut short gave it its stopping key)
    bounds = Bounds(lt, lc, le, cid)
    _store(g.bounds_cache, key, ok, bounds, per_state=3)
    return bounds


def layered_bounds(g: StateGraph, q: Query, ok: np.ndarray, ar: Arrays, lb: Bounds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Pareto search's lower bounds per via layer: row ``k`` (the via points from ``q.via[k]`` on still ahead) holds,
    in ``lb``'s numbering, a bound from each state to the node ``q.via[k]`` (no unloading there) plus the least bound of
    row ``k + 1`` over that node's states, or the destination's bound where that is larger; the last row is ``lb`` itself
    (to the destination). Without via points that one row. A route in layer ``k`` passes ``q.via[k]`` at one of its states and goes on from there, so every row is a
    lower bound, and a far tighter one than the destination's alone: on a 1M-node grid a query with one via point
    made 20 million labels with the destination's bound. Kept on the graph like the lower bounds."""
    if not q.via:
        return lb.time[None, :], lb.cost[None, :], lb.co2e[None, :]
    key = (q.dest, id(ok), -4, *q.via)
    hit = _cached(g.bounds_cache, key, ok)
    if hit is not None:
        return cast(tuple[np.ndarray, np.ndarray, np.ndarray], hit)
    n_used, cid, indptr, other, wt, wc, we = _reverse_states(g, ar, ok)
    shape = (len(q.via) + 1, len(lb.time))
    out = (np.empty(shape), np.empty(shape), np.empty(shape))
    for x, last in zip(out, (lb.time, lb.cost, lb.co2e), strict=True):
        x[-1] = last
    for k in range(len(q.via) - 1, -1, -1):
        rows = cid[np.arange(q.via[k] * SPN, (q.via[k] + 1) * SPN, dtype=np.int64)]
        ahead = [float(x[k + 1][rows].min()) for x in out]  # the rest after the via point, from its best state
        seeds = rows[rows < n_used]
        zero = np.zeros(len(seeds))
        to_via = boundkernel.bounds(indptr, other, wt, wc, we, seeds, zero, zero, zero, n_used + 1, NO_VIA, 0.0)
        for x, d, rest, dest_only in zip(out, to_via, ahead, (lb.time, lb.cost, lb.co2e), strict=True):
            d[-1] = np.inf  # the row of the states without an allowed arc
            np.maximum(d + rest, dest_only, out=x[k])  # both bound the rest (the via point's best state need not be
            # the one reached): the larger
    _store(g.bounds_cache, key, ok, out, per_state=3 * len(out[0]))
    return out


def _reverse_states(g: StateGraph, ar: Arrays, ok: np.ndarray) -> tuple[Any, ...]:
    """The allowed arcs of ``ar`` as a reversed graph over the states they touch: (how many, their new number per state
    (the others: their count, the bounds' last row), indptr by head (one more row, empty), tail, time without waits,
    cost and CO2e per arc). The arcs come in the order of ``ar``'s reverse CSR, already grouped by head state, and the
    new numbers keep the states' order, so no sort is needed. Kept on the graph per allowed-arcs array, like the lower
    bounds."""
    ck = (-3, id(ok))
    hit = _cached(g.bounds_cache, ck, ok)
    if hit is not None:
        return cast(tuple[Any, ...], hit)
    sel = ar.rarcs[ok[ar.rarcs]]  # by head state
    tail, head = ar.tail[sel], ar.head[sel]
    touched = np.zeros(g.n_states, dtype=np.bool_)
    touched[tail] = True
    touched[head] = True
    used = np.flatnonzero(touched)
    n = len(used)
    cid = np.full(g.n_states, n, dtype=np.int64)  # the states without an allowed arc: the bounds' last row (inf)
    cid[used] = np.arange(n)
    indptr = np.zeros(n + 2, dtype=np.int64)  # and the last row's, empty
    np.cumsum(np.bincount(cid[head], minlength=n + 1), out=indptr[1:])
    out = (n, cid, indptr, cid[tail], ar.fixed_h[sel], ar.cost[sel], ar.co2e[sel])
    _store(g.bounds_cache, ck, ok, out)
    return out


def near_states(g: StateGraph, q: Query, ok: np.ndarray, ar: Arrays, large_nodes: int = LARGE_NODES) -> np.ndarray | None:
    """The start states the lower bounds of ``q`` may stop short around (:func:`lower_bounds`): on a network of
    ``large_nodes`` nodes or more and a query without via points (a via point may lie beyond), else None (the bounds
    cover every state, and on the embedded network the searches' order and so their answers stay as they were)."""
    if q.via or len(g.node_ids) < large_nodes:
        return None
    return _start(g, ar, q, ok)[0]


def _timed(g: StateGraph, ar: Arrays, ok: np.ndarray) -> np.ndarray:
    """Per state: can an allowed timetabled arc be reached from it? (There the ε rule takes on no time debt.) Kept on
    the graph per allowed-arcs array, like the lower bounds."""
    key = (-2, id(ok))
    hit = _cached(g.bounds_cache, key, ok)
    if hit is not None:
        return cast(np.ndarray, hit)
    sched = np.flatnonzero((ar.period_h != 0.0) & ok)
    out = kernels.reaches(ar.rindptr, ar.rarcs, ar.tail, ok, np.unique(ar.tail[sched]), g.n_states)
    _store(g.bounds_cache, key, ok, out)
    return cast(np.ndarray, out)


def pareto_front(g: StateGraph, q: Query, allowed: np.ndarray | Sequence[bool], rules: Regions | None = None, *, max_front: int = MAX_FRONT,
                 eps: float = FRONT_EPS, max_labels: int = MAX_LABELS, large_nodes: int = LARGE_NODES) -> Front:
    """Every Pareto-optimal route in (arrival time, cost, CO2e), plus transfers when capped.

    With ``rules`` only routes that never re-enter a region they have left (a country, or a water body after an
    international crossing of it; see :mod:`silkway.routing.regions`) are searched; each label carries the bitmask
    of the regions left, and a label dominates another only when its mask is a subset, so the set stays exact
    for the restricted problem. ε-dominance on a network of ``large_nodes`` nodes or more, past ``max_labels`` labels
    or past ``max_front`` routes (module docstring); ``eps=0`` keeps it exact."""
    sp = contract.space(g, q, _allowed(allowed), rules)  # the skeleton when the graph has one
    ar, ok = sp.arrays, sp.ok
    use_tr = q.max_transfers is not None
    lb = lower_bounds(g, q.dest, ok, ar=ar, near=near_states(g, q, ok, ar, large_nodes))
    assert lb is not None  # computed (compute=True)
    lt, lc, le = layered_bounds(g, q, ok, ar, lb)
    use_rules, e0, e1, l0, l1 = sp.words
    (ss, ts, cs, es), (ft, fc, fe), via, _n_layers = _ends(g, ar, q, ok)
    n_nodes = len(g.node_ids)
    large = eps > 0 and n_nodes >= large_nodes
    timed = _timed(g, ar, ok) if eps > 0 else ar.zero_bound.astype(np.bool_)
    with g.scratch.lock:
        bag = g.scratch.bag(g.n_states * (len(via) + 1))
        widen = WIDEN_LABELS if large else max(WIDEN_LABELS, 2 * max_labels)
        lf, li, fi, ff, why, n, eps_end = paretokernel.pareto(
            ar.indptr, ar.arcs, ar.head, ar.pre_h, ar.period_h, ar.offset_h, ar.post_h, ar.cost, ar.co2e, ar.transfer, ok,
            use_rules, e0, e1, l0, l1, ss, ts, cs, es, _first_layer(q), via, q.dest, SPN, N_PLATFORMS,
            q.max_transfers if use_tr else 1 << 30, use_tr, ft, fc, fe, lt, lc, le, lb.row, timed, q.depart_h, float(eps),
            max_front, -1 if large else max_labels, widen if eps > 0 else -1, MAX_EPS,
            GIVE_UP_LABELS if large and rules is not None else -1, bag)
    finals = sorted((float(ff[k, 0]), float(ff[k, 1]), float(ff[k, 2]), int(fi[k, 1]), int(fi[k, 0])) for k in range(len(fi)))
    reason = ("" if not why else f"the network has {n_nodes:,} nodes (at least {large_nodes:,})" if large
              else f"the search passed {max_labels:,} labels" if why == 2 else f"the Pareto set passed {max_front} routes")
    if why == 3:
        return Front([], 0.0, int(n), "", gave_up=True)
    if why and eps_end > eps:
        reason += f", and ε was doubled from {eps:g} each time the search's labels doubled past {widen:,}"
    return Front([sp.path(_path(li, f), q) for f in finals], float(eps_end) if why else 0.0, int(n), reason)


def pareto_paths(g: StateGraph, q: Query, allowed: np.ndarray | Sequence[bool], rules: Regions | None = None) -> list[Path]:
    """The Pareto routes of :func:`pareto_front` (exact unless the query gets large: module docstring)."""
    return pareto_front(g, q, allowed, rules).paths


def _path(li: np.ndarray, final: tuple[float, float, float, int, int]) -> Path:
    ft, fc, fe, tr, i = final
    arcs, first = kernels.trace(li, i, paretokernel.L_ARC, paretokernel.L_PARENT)
    return Path(int(li[first, paretokernel.L_STATE]), tuple(arcs.tolist()), int(li[i, paretokernel.L_STATE]), ft, fc, fe, tr)


def best_path(g: StateGraph, q: Query, allowed: np.ndarray | Sequence[bool], objective: int, penalty: np.ndarray | Sequence[float] | None = None, rules: Regions | None = None) -> Path | None:
    """Time-dependent Dijkstra on one criterion (0 time, 1 cost, 2 CO2e) with an optional per-arc
    multiplier ``penalty`` on that criterion (a heuristic to steer alternatives; the returned criteria
    are the path's true ones). When the query's lower bounds are at hand (the Pareto search of the same query computed
    them) the search is goal-directed by the criterion's bound (A*), else a Dijkstra that stops at the destination. With ``rules`` each state keeps the
    regions left by its best label and no arc re-enters one of them: the path found obeys the rules, though a
    rule-abiding path through a state reached first by another may be missed (this search only proposes
    alternatives)."""
    pen = None if penalty is None else (penalty if isinstance(penalty, np.ndarray) else np.asarray(penalty, dtype=np.float64))
    sp = contract.space(g, q, _allowed(allowed), rules, pen)  # the skeleton when the graph has one
    ar, ok = sp.arrays, sp.ok
    pen = ar.ones if sp.penalty is None else sp.penalty
    kept = lower_bounds(g, q.dest, ok, compute=False, ar=ar, near=near_states(g, q, ok, ar))
    if kept is None:
        lb, lbi = NO_BOUND, ar.zero_index
    else:
        lb, lbi = kept[objective], kept.row
        scale = min(1.0, float(pen.min())) if len(pen) else 1.0
        if scale != 1.0:  # multipliers below 1 shrink the bound with them
            lb = lb * max(scale, 0.0)
    use_rules, e0, e1, l0, l1 = sp.words
    (ss, ts, cs, es), (ft, fc, fe), via, n_layers = _ends(g, ar, q, ok)
    ws = g.scratch
    with ws.lock:
        gk, lf, li, done, touched = ws.labels(g.n_states * n_layers)
        sk, _key, lf, li, ws.hk, ws.hi = kernels.best(
            ar.indptr, ar.arcs, ar.head, ar.pre_h, ar.period_h, ar.offset_h, ar.post_h, ar.cost, ar.co2e, ar.transfer, ok,
            use_rules, e0, e1, l0, l1, ss, ts, cs, es, _first_layer(q), via, q.dest, SPN, N_PLATFORMS, ft, fc, fe,
            objective, pen, lb, lbi, gk, lf, li, done, touched, ws.hk, ws.hi)
        if sk < 0:
            return None
        end_state = sk // n_layers
        p = (end_state // 2) % N_PLATFORMS
        t, c, e, tr = float(lf[sk, 0] + ft[p]), float(lf[sk, 1] + fc[p]), float(lf[sk, 2] + fe[p]), int(li[sk, 2])
        arcs, first = kernels.trace(li, sk, 0, 1)
    return sp.path(Path(int(first // n_layers), tuple(arcs.tolist()), end_state, t, c, e, tr), q)

