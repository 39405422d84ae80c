"""Searches over the state graph: the exact Pareto set and a single-key search for alternatives.

Time is absolute: hours after Monday 00:00 of the departure week, so scheduled arcs wait for their
next departure. Waiting is allowed anywhere, so arrival times are FIFO and a label that is no better
in (time, cost, CO2e[, transfers]) than another at the same state can be discarded: the Pareto
label-setting below is exact (checked against brute-force enumeration in the tests).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from silkway.routing.regions import Regions
from silkway.routing.stategraph import N_PLATFORMS, SPN, StateGraph, platform_index

EPS = 1e-9
INF = float("inf")


def next_departure(t: float, period_h: float, offset_h: float) -> float:
    """First departure at or after ``t`` of a service leaving at ``offset_h + k·period_h``."""
    return offset_h + math.ceil((t - offset_h) / period_h - EPS) * period_h


def arc_time(g: StateGraph, a: int, t: float) -> float:
    t += g.pre_h[a]
    if g.period_h[a]:
        t = next_departure(t, g.period_h[a], g.offset_h[a])
    return t + g.post_h[a]


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


def _start_labels(g: StateGraph, q: Query, allowed: list[bool]) -> list[tuple[float, float, float, int]]:
    out = []
    for p in range(N_PLATFORMS):
        s = q.origin * SPN + 2 * p
        if not any(allowed[a] for a in g.out[s]):
            continue
        hub = g.hub(g.node_ids[q.origin], p)
        if hub is None:
            out.append((q.depart_h, 0.0, 0.0, s))
        else:
            out.append((q.depart_h + hub.median_h, hub.cost_usd_per_teu, hub.co2e_kg_per_teu, s))
    return out


def _first_layer(q: Query) -> int:
    layer = 0
    while layer < len(q.via) and q.via[layer] == q.origin:
        layer += 1
    return layer


def _finish(g: StateGraph, state: int, t: float, c: float, e: float) -> tuple[float, float, float]:
    hub = g.hub(g.node_of(state), platform_index(state))
    if hub is None:
        return t, c, e
    return t + hub.median_h, c + hub.cost_usd_per_teu, e + hub.co2e_kg_per_teu


def _dominated(bag: list[tuple], t: float, c: float, e: float, tr: int, use_tr: bool, mask: int = 0) -> bool:
    """Whether a label of ``bag`` is no worse on every criterion and has left no country the new label may still
    enter (its mask is a subset: every extension of the new label is open to it too)."""
    for lb in bag:
        if lb[0] <= t + EPS and lb[1] <= c + EPS and lb[2] <= e + EPS and (not use_tr or lb[3] <= tr) and not lb[5] & ~mask:
            return True
    return False


def pareto_paths(g: StateGraph, q: Query, allowed: list[bool], rules: Regions | None = None) -> list[Path]:
    """Every Pareto-optimal route in (arrival time, cost, CO2e), plus transfers when capped.

    With ``rules`` only routes that never re-enter a region they have left (a country, or a water body after an
    international crossing of it; see :mod:`silkway.routing.regions`) are searched; each label carries the bitmask
    of the regions left, and a label dominates another only when its mask is a subset, so the set stays exact
    for the restricted problem. The hot loop is kept in one function on purpose (calls cost more than the work
    in CPython)."""
    use_tr = q.max_transfers is not None
    cap = q.max_transfers if use_tr else 1 << 30
    n_layers = len(q.via) + 1
    last = n_layers - 1
    labels: list[tuple] = []  # (t, c, e, tr, state, layer, arc, parent, mask)
    alive: list[bool] = []
    bags: dict[int, list[tuple]] = {}  # state-layer key -> [(t, c, e, tr, label index, mask)]
    finals: list[tuple] = []  # (t, c, e, tr, label index, 0)
    heap: list[tuple] = []
    layer0 = _first_layer(q)
    for t, c, e, s in _start_labels(g, q, allowed):
        labels.append((t, c, e, 0, s, layer0, -1, -1, 0))
        alive.append(True)
        bags.setdefault(s * n_layers + layer0, []).append((t, c, e, 0, len(labels) - 1, 0))
        heapq.heappush(heap, (t, c, e, len(labels) - 1))
    head, out, cost, co2e, transfer = g.head, g.out, g.cost, g.co2e, g.transfer
    pre, period, offset, post = g.pre_h, g.period_h, g.offset_h, g.post_h
    dest, via = q.dest, q.via
    enter, leave = (rules.enter, rules.leave) if rules is not None else (None, None)
    while heap:
        t, c, e, i = heapq.heappop(heap)
        if not alive[i]:
            continue
        _, _, _, tr, s, layer, _, _, mask = labels[i]
        if s // SPN == dest and layer == last:
            ft, fc, fe = _finish(g, s, t, c, e)
            if not _dominated(finals, ft, fc, fe, tr, use_tr):
                finals = [f for f in finals if not (ft <= f[0] + EPS and fc <= f[1] + EPS and fe <= f[2] + EPS and (not use_tr or tr <= f[3]))]
                finals.append((ft, fc, fe, tr, i, 0))
            continue
        for a in out[s]:
            if not allowed[a]:
                continue
            mask2 = mask
            if enter is not None:
                if mask & enter[a]:
                    continue
                mask2 = mask | leave[a]
            tr2 = tr + transfer[a]
            if tr2 > cap:
                continue
            t2 = t + pre[a]
            if period[a]:
                t2 = next_departure(t2, period[a], offset[a])
            t2 += post[a]
            c2, e2 = c + cost[a], e + co2e[a]
            if finals and _dominated(finals, t2, c2, e2, tr2, use_tr):
                continue
            s2 = head[a]
            layer2 = layer + 1 if layer < last and s2 // SPN == via[layer] else layer
            key = s2 * n_layers + layer2
            bag = bags.get(key)
            if bag:
                if _dominated(bag, t2, c2, e2, tr2, use_tr, mask2):
                    continue
                keep = []
                for lb in bag:
                    if t2 <= lb[0] + EPS and c2 <= lb[1] + EPS and e2 <= lb[2] + EPS and (not use_tr or tr2 <= lb[3]) and not mask2 & ~lb[5]:
                        alive[lb[4]] = False
                    else:
                        keep.append(lb)
                bag = keep
            else:
                bag = []
            n = len(labels)
            labels.append((t2, c2, e2, tr2, s2, layer2, a, i, mask2))
            alive.append(True)
            bag.append((t2, c2, e2, tr2, n, mask2))
            bags[key] = bag
            heapq.heappush(heap, (t2, c2, e2, n))
    return [_path(labels, f) for f in sorted(finals)]


def _path(labels: list[tuple], final: tuple) -> Path:
    ft, fc, fe, tr, i, _ = final
    arcs = []
    end_state = labels[i][4]
    while labels[i][6] >= 0:
        arcs.append(labels[i][6])
        i = labels[i][7]
    return Path(labels[i][4], tuple(reversed(arcs)), end_state, ft, fc, fe, tr)


def best_path(g: StateGraph, q: Query, allowed: list[bool], objective: int, penalty: list[float] | None = None,
              rules: Regions | None = None) -> Path | None:
    """Time-dependent Dijkstra on one criterion (0 time, 1 cost, 2 CO2e) with an optional per-arc
    multiplier ``penalty`` on that criterion (a heuristic to steer alternatives; the returned criteria
    are the path's true ones). With ``rules`` each state keeps the regions left by its best label and no arc
    re-enters one of them: the path found obeys the rules, though a rule-abiding path through a state
    reached first by another may be missed (this search only proposes alternatives)."""
    n_layers = len(q.via) + 1
    last = n_layers - 1
    size = g.n_states * n_layers
    key_of = [INF] * size  # tentative key per state-layer
    label: list[tuple | None] = [None] * size  # (t, c, e, tr, arc, parent key, mask of regions left)
    done = [False] * size
    heap: list[tuple] = []
    layer0 = _first_layer(q)
    for t, c, e, s in _start_labels(g, q, allowed):
        sk = s * n_layers + layer0
        k0 = (t, c, e)[objective]
        if k0 < key_of[sk]:
            key_of[sk], label[sk] = k0, (t, c, e, 0, -1, -1, 0)
            heapq.heappush(heap, (k0, sk))
    head, out, cost, co2e, transfer = g.head, g.out, g.cost, g.co2e, g.transfer
    pre, period, offset, post = g.pre_h, g.period_h, g.offset_h, g.post_h
    dest, via = q.dest, q.via
    enter, leave = (rules.enter, rules.leave) if rules is not None else (None, None)
    result = None
    while heap:
        key, sk = heapq.heappop(heap)
        if done[sk]:
            continue
        done[sk] = True
        s, layer = divmod(sk, n_layers)
        t, c, e, tr, _, _, mask = label[sk]
        if s // SPN == dest and layer == last:
            ft, fc, fe = _finish(g, s, t, c, e)
            fkey = key + (ft - t, fc - c, fe - e)[objective]
            if result is None or fkey < result[0]:
                result = (fkey, sk, ft, fc, fe, tr)
            continue
        if result is not None and key >= result[0]:
            break
        for a in out[s]:
            if not allowed[a] or (enter is not None and mask & enter[a]):
                continue
            s2 = head[a]
            layer2 = layer + 1 if layer < last and s2 // SPN == via[layer] else layer
            sk2 = s2 * n_layers + layer2
            if done[sk2]:
                continue
            t2 = t + pre[a]
            if period[a]:
                t2 = next_departure(t2, period[a], offset[a])
            t2 += post[a]
            delta = t2 - t if objective == 0 else (cost[a] if objective == 1 else co2e[a])
            k2 = key + (delta * penalty[a] if penalty else delta)
            if k2 < key_of[sk2]:
                key_of[sk2] = k2
                label[sk2] = (t2, c + cost[a], e + co2e[a], tr + transfer[a], a, sk, mask | leave[a] if leave is not None else 0)
                heapq.heappush(heap, (k2, sk2))
    if result is None:
        return None
    _, sk, ft, fc, fe, tr = result
    arcs = []
    end_state = sk // n_layers
    while label[sk][4] >= 0:
        arcs.append(label[sk][4])
        sk = label[sk][5]
    return Path(sk // n_layers, tuple(reversed(arcs)), end_state, ft, fc, fe, tr)
