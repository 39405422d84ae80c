"""Contraction of degree-2 chains: the skeleton the planner searches on big networks (issue 13).

A real rail network (OpenStreetMap) is mostly nodes with two links, joined in long chains between junctions. The
skeleton keeps the nodes where something can happen and replaces each chain between them by one arc per platform,
direction and border state, with the exact sums of what the searches add up along it:

* **skeleton nodes**: junctions (not exactly two links, or two links to the same neighbour), every node that is not
  a ``junction`` (cities, terminals, borders, ports: the places), every node with a facility, and the ends of chains
  where the country, mode, gauges, link country, corridor tags or transit countries change (so an avoid mask, a
  corridor penalty and the corridor rule are uniform along a chain; a chain never crosses a border);
* a **chain** holds at most one timetabled link (a wait for a departure depends on the arrival time: one wait
  between two sums of fixed hours is exact, two are not); a second one ends the chain at the node before it;
* a **chain arc** has the state graph's columns of its member arcs summed: hours before the departure (every member
  before the timetabled one plus its own ``pre_h``), its timetable, hours after, cost, CO2e, no transfer.

The searches (:mod:`silkway.routing.search`) call :func:`space` per query: it gives the skeleton's arrays and the
query's allowed arcs (a chain arc is allowed when all its members are), or the full state graph's when the query
names a node inside a chain (origin, destination or via point: every node can be named, so keeping all of them would
keep all), when a per-arc penalty differs along a chain, or when the corridor rule's words are not zero on a chain
(neither happens with the planner's own penalties and rules; the fallback keeps the answer exact). :meth:`Space.path`
maps a found path back to the original arcs and replays its criteria along them in the kernels' order of operations,
so a returned :class:`~silkway.routing.search.Path` is the one the full graph gives.

Pure arrays and numba; no I/O.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from silkway.network.graph import codes_of
from silkway.routing import jit as nb
from silkway.routing.kernels import _next_departure

if TYPE_CHECKING:
    from silkway.routing.regions import Regions
    from silkway.routing.search import Path, Query
    from silkway.routing.stategraph import Arrays, StateGraph

Words = tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True, eq=False)
class Skeleton:
    """The contracted state graph. Skeleton arc ``x < len(kept)`` is the original arc ``kept[x]``; arc
    ``len(kept) + c`` is chain arc ``c``, standing for the original arcs ``members[mptr[c]:mptr[c+1]]`` in order.
    ``inside[v]``: node ``v`` lies inside a chain (no skeleton arc touches its states)."""

    arrays: Arrays
    kept: np.ndarray  # int64: original arc of each kept skeleton arc
    mptr: np.ndarray  # int64[chain arcs + 1]
    members: np.ndarray  # int64: original arcs of the chain arcs, in travel order
    inside: np.ndarray  # bool per node
    n_chains: int  # chains of links contracted (each gives 4 chain arcs per platform)
    chain_links: int  # links inside chains
    cache: dict[tuple[str, int], tuple[Any, Any]] = dataclasses.field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return int(len(self.inside) - self.inside.sum())

    def _kept_for(self, tag: str, obj: Any, make: Any) -> Any:
        """``make(obj)`` kept per object (by identity, the object held so its id stays its own), a few at a time."""
        key = (tag, id(obj))
        hit = self.cache.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self.cache) >= 32:
            self.cache.clear()
        out = make(obj)
        self.cache[key] = (obj, out)
        return out

    def allowed(self, ok: np.ndarray) -> np.ndarray:
        """Skeleton arc flags of the original arcs' ``ok``: a chain arc is allowed when all its members are."""
        def make(ok: np.ndarray) -> np.ndarray:
            chain = np.logical_and.reduceat(ok[self.members], self.mptr[:-1]) if len(self.members) else np.zeros(0, np.bool_)
            return np.concatenate([ok[self.kept], chain])
        return self._kept_for("ok", ok, make)  # type: ignore[no-any-return]

    def penalty(self, pen: np.ndarray) -> np.ndarray | None:
        """Skeleton arc multipliers, or None when a chain's members have different ones (no single multiplier is exact)."""
        def make(pen: np.ndarray) -> np.ndarray | None:
            if len(self.members):
                m = pen[self.members]
                if not np.array_equal(np.maximum.reduceat(m, self.mptr[:-1]), np.minimum.reduceat(m, self.mptr[:-1])):
                    return None
            return np.concatenate([pen[self.kept], pen[self.members[self.mptr[:-1]]]])
        return self._kept_for("pen", pen, make)  # type: ignore[no-any-return]

    def words(self, words: tuple[np.ndarray, ...]) -> Words | None:
        """The corridor rule's words (per original arc) per skeleton arc, or None when a chain member has any (never:
        chains cross no border)."""
        def make(_: Any) -> Words | None:
            if any(np.any(w[self.members]) for w in words):
                return None
            zeros = np.zeros(len(self.mptr) - 1, dtype=np.int64)
            return (True, *(np.concatenate([w[self.kept], zeros]) for w in words))  # type: ignore[return-value]
        return self._kept_for("words", words[0], make)  # type: ignore[no-any-return]

    def expand(self, arcs: tuple[int, ...]) -> tuple[int, ...]:
        """The original arcs a skeleton path stands for, in order."""
        n = len(self.kept)
        parts = [self.kept[x:x + 1] if x < n else self.members[self.mptr[x - n]:self.mptr[x - n + 1]] for x in arcs]
        return tuple(np.concatenate(parts).tolist()) if parts else ()


@dataclass(frozen=True, eq=False)
class Space:
    """What one query searches: arrays, allowed arcs, rule words and penalty in one arc numbering, and the way back."""

    g: StateGraph
    skeleton: Skeleton | None  # None: the full state graph
    arrays: Arrays
    ok: np.ndarray
    words: Words
    penalty: np.ndarray | None

    def path(self, p: Path, q: Query) -> Path:
        """``p`` over the original arcs with its criteria replayed along them (unchanged on the full graph)."""
        if self.skeleton is None:
            return p
        return replay(self.g, dataclasses.replace(p, arcs=self.skeleton.expand(p.arcs)), q)


def space(g: StateGraph, q: Query, ok: np.ndarray, rules: Regions | None, penalty: np.ndarray | None = None) -> Space:
    """The skeleton's search space for query ``q`` when it has one and can answer exactly, else the full graph's.
    ``ok``, ``penalty``: per original arc; ``rules``: the corridor rule (None: none)."""
    sk = g.skeleton
    if sk is not None and not sk.inside[[q.origin, q.dest, *q.via]].any():
        z = sk.arrays.zero_words
        w = (False, z, z, z, z) if rules is None else sk.words(g.region_words(rules))
        pen = None if penalty is None else sk.penalty(penalty)
        if w is not None and (penalty is None or pen is not None):
            return Space(g, sk, sk.arrays, sk.allowed(ok), w, pen)
    ar = g.arrays()
    return Space(g, None, ar, ok, rule_words(g, ar, rules), penalty)


def rule_words(g: StateGraph, ar: Arrays, rules: Regions | None) -> Words:
    """The kernels' corridor-rule inputs on the full graph: (in use, enter/leave words); all zeros without ``rules``."""
    if rules is None:
        z = ar.zero_words
        return False, z, z, z, z
    return (True, *g.region_words(rules))


def replay(g: StateGraph, p: Path, q: Query) -> Path:
    """``p``'s arrival, cost and CO2e summed along its arcs as the kernels sum them (start with loading, each arc's
    pre-hours, the wait for its departure, post-hours, end with unloading)."""
    from silkway.routing.stategraph import platform_index

    start_plat, end_plat = platform_index(p.start_state), platform_index(p.end_state)
    ht, hc, he = g.hub_arrays(q.origin)
    t, c, e = _walk_arcs(np.asarray(p.arcs, dtype=np.int64), g.pre_h, g.period_h, g.offset_h, g.post_h, g.cost, g.co2e,
                         q.depart_h + float(ht[start_plat]), float(hc[start_plat]), float(he[start_plat]))
    ft, fc, fe = g.hub_arrays(q.dest)
    return dataclasses.replace(p, arrival_h=t + float(ft[end_plat]), cost_usd_per_teu=c + float(fc[end_plat]),
                               co2e_kg_per_teu=e + float(fe[end_plat]))


# -- building --------------------------------------------------------------------------------------------------


def chain_nodes(g: StateGraph) -> np.ndarray:
    """bool per node: it may lie inside a chain (two distinct links to two other nodes of its country, alike in
    mode, gauges, link country, corridor tags, none with transit countries; a ``junction`` with no facility)."""
    cn, net = g.compiled, g.net
    deg = np.diff(cn.indptr)
    v = np.flatnonzero(deg == 2)
    a1, a2 = cn.order[cn.indptr[v]], cn.order[cn.indptr[v] + 1]
    l1, l2, h1, h2 = cn.arc_link[a1], cn.arc_link[a2], cn.arc_head[a1], cn.arc_head[a2]
    corridor, _ = codes_of(net.links, "corridor", "list")
    via = np.zeros(cn.n_links, dtype=np.bool_)
    via[list(cn.via_countries)] = True
    ok = (l1 != l2) & (h1 != v) & (h2 != v) & (h1 != h2)
    ok &= (cn.country[h1] == cn.country[v]) & (cn.country[h2] == cn.country[v])
    for col in (cn.mode, cn.gauge_bits, cn.first_gauge, cn.link_country, corridor):
        ok &= col[l1] == col[l2]
    ok &= ~via[l1] & ~via[l2]
    kinds, names = codes_of(net.nodes, "node_kind")
    junction = names.index("junction") if "junction" in names else -2
    ok &= kinds[v] == junction
    out = np.zeros(cn.n_nodes, dtype=np.bool_)
    out[v[ok]] = True
    facility_nodes = [cn.node_index[n] for n in net.facilities_at if n in cn.node_index]
    out[facility_nodes] = False
    return out


@nb.njit(cache=True)
def _walk(indptr: np.ndarray, order: np.ndarray, arc_head: np.ndarray, arc_link: np.ndarray, candidate: np.ndarray,
          timed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Chains of links between non-candidate nodes through candidate nodes, each with at most one timed link.
    Returns (chain pointer into links, links in order, nodes in order (one more per chain), number of chains)."""
    n_links = arc_link.shape[0] // 2
    visited = np.zeros(n_links, dtype=np.bool_)
    cptr = np.zeros(n_links + 1, dtype=np.int64)
    links = np.empty(n_links, dtype=np.int64)
    nodes = np.empty(2 * n_links + 1, dtype=np.int64)
    nc = 0
    nl = 0
    nn = 0
    for s in range(indptr.shape[0] - 1):
        if candidate[s]:
            continue
        for j in range(indptr[s], indptr[s + 1]):
            a = order[j]
            lk = arc_link[a]
            if visited[lk] or not candidate[arc_head[a]]:
                continue
            start_l, start_n = nl, nn  # the chain being grown: links[start_l:nl], nodes[start_n:nn]
            nodes[nn] = s
            nn += 1
            n_timed = 0
            u = s
            while True:
                if timed[lk] and n_timed:  # a second timetabled link: the chain ends at u, a new one starts there
                    if nl - start_l >= 2:
                        cptr[nc + 1] = nl
                        nc += 1
                    else:  # one link alone is no chain: forget it
                        nl, nn = start_l, start_n
                    start_l, start_n = nl, nn
                    nodes[nn] = u
                    nn += 1
                    n_timed = 0
                visited[lk] = True
                links[nl] = lk
                nl += 1
                n_timed += timed[lk]
                v = arc_head[a]
                nodes[nn] = v
                nn += 1
                if not candidate[v]:
                    break
                a0, a1 = order[indptr[v]], order[indptr[v] + 1]
                a = a0 if arc_link[a0] != lk else a1
                lk = arc_link[a]
                u = v
            if nl - start_l >= 2:
                cptr[nc + 1] = nl
                nc += 1
            else:
                nl, nn = start_l, start_n
    return cptr[:nc + 1].copy(), links[:nl].copy(), nodes[:nn].copy(), nc


@nb.stamped(("contract.py", "kernels.py"), cache=True)  # it calls kernels._next_departure: stamped with both files
def _walk_arcs(arcs: np.ndarray, pre: np.ndarray, period: np.ndarray, offset: np.ndarray, post: np.ndarray,
               cost: np.ndarray, co2e: np.ndarray, t: float, c: float, e: float) -> tuple[float, float, float]:
    """Time, cost and CO2e after ``arcs`` from (t, c, e), in the order of operations of ``paretokernel.pareto``/``kernels.best``."""
    for j in range(arcs.shape[0]):
        a = arcs[j]
        t = t + pre[a]
        if period[a] != 0.0:
            t = _next_departure(t, period[a], offset[a])
        t += post[a]
        c, e = c + cost[a], e + co2e[a]
    return t, c, e


@nb.njit(cache=True)
def _sums(mptr: np.ndarray, members: np.ndarray, pre: np.ndarray, period: np.ndarray, offset: np.ndarray,
          post: np.ndarray, cost: np.ndarray, co2e: np.ndarray) -> np.ndarray:
    """Per chain arc: hours before the departure, period, offset, hours after, cost, CO2e of its members in order."""
    k = mptr.shape[0] - 1
    out = np.zeros((k, 6))
    for x in range(k):
        before, after, c, e = 0.0, 0.0, 0.0, 0.0
        timed = -1
        for j in range(mptr[x], mptr[x + 1]):
            a = members[j]
            if timed < 0 and period[a] != 0.0:
                timed = a
                before += pre[a]
                after += post[a]
            elif timed < 0:
                before += pre[a] + post[a]
            else:
                after += pre[a] + post[a]
            c += cost[a]
            e += co2e[a]
        if timed < 0:  # no timetable: everything after a departure at once
            out[x, 3] = before
        else:
            out[x, 0], out[x, 1], out[x, 2], out[x, 3] = before, period[timed], offset[timed], after
        out[x, 4], out[x, 5] = c, e
    return out



def build(g: StateGraph) -> Skeleton | None:
    """The skeleton of ``g``, or None when it has no chain of two links or more."""
    from silkway.routing.stategraph import N_PLATFORMS, SPN, Arrays, csr

    cn = g.compiled
    cptr, clinks, cnodes, nc = _walk(cn.indptr, cn.order, cn.arc_head, cn.arc_link, chain_nodes(g), g.link_period > 0)
    if nc == 0:
        return None
    k = np.diff(cptr)
    nptr = cptr + np.arange(nc + 1)  # chain c's nodes: cnodes[nptr[c]:nptr[c+1]], k[c] + 1 of them
    j = np.arange(len(cnodes)) - np.repeat(nptr[:-1], k + 1)
    inside = np.zeros(cn.n_nodes, dtype=np.bool_)
    inside[cnodes[(j > 0) & (j < np.repeat(k, k + 1))]] = True
    move = np.flatnonzero(g.link >= 0)
    keys = g.link[move] * g.n_states + g.tail[move]
    by_key = np.argsort(keys, kind="stable")
    keys, move = keys[by_key], move[by_key]

    def arc_of(link: np.ndarray, tail: np.ndarray) -> np.ndarray:
        """The move arc of ``link`` leaving state ``tail`` (-1: none)."""
        want = link * g.n_states + tail
        at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        return np.where(keys[at] == want, move[at], -1)

    # a chain's platforms are its first link's (every link of a chain has the same mode and gauges)
    c, p = np.divmod(np.arange(nc * N_PLATFORMS, dtype=np.int64), N_PLATFORMS)
    has = arc_of(clinks[cptr[c]], cnodes[nptr[c]] * SPN + 2 * p) >= 0
    # chain arcs: per (chain, platform) both directions, each from the tail's two border states (0, 1)
    sc, sp = np.repeat(c[has], 4), np.repeat(p[has], 4)
    sd, s0 = np.tile([0, 0, 1, 1], int(has.sum())), np.tile([0, 1, 0, 1], int(has.sum()))
    kk = k[sc]
    owner = np.repeat(np.arange(len(sc)), kk)
    i = np.arange(int(kk.sum())) - np.repeat(np.cumsum(kk) - kk, kk)  # member's position along its chain arc
    oc, od, ok_ = sc[owner], sd[owner], kk[owner]
    link = clinks[cptr[oc] + np.where(od == 0, i, ok_ - 1 - i)]
    a = cnodes[nptr[oc] + np.where(od == 0, i, ok_ - i)]
    b = cnodes[nptr[oc] + np.where(od == 0, i + 1, ok_ - i - 1)]
    plat2 = 2 * sp[owner]
    members = arc_of(link, a * SPN + plat2 + np.where(i == 0, s0[owner], 0))
    if (members < 0).any() or (g.head[members] != b * SPN + plat2).any():
        raise AssertionError("contract: a chain's member arcs do not join up in the state graph")
    mptr = np.concatenate([[0], np.cumsum(kk)]).astype(np.int64)
    sums = _sums(mptr, members, g.pre_h, g.period_h, g.offset_h, g.post_h, g.cost, g.co2e)
    chained = np.zeros(cn.n_links + 1, dtype=np.bool_)
    chained[clinks] = True
    kept = np.flatnonzero(~chained[g.link]).astype(np.int64)  # transfers (link -1) read the spare last entry: False
    n_chain = len(sc)
    head = np.concatenate([g.head[kept], g.head[members[mptr[1:] - 1]]])
    tail = np.concatenate([g.tail[kept], g.tail[members[mptr[:-1]]]])
    pre, post = np.concatenate([g.pre_h[kept], sums[:, 0]]), np.concatenate([g.post_h[kept], sums[:, 3]])
    indptr, arcs = csr(tail, g.n_states)
    rindptr, rarcs = csr(head, g.n_states)
    arrays = Arrays.of(indptr, arcs, rindptr, rarcs, head, tail, pre, np.concatenate([g.period_h[kept], sums[:, 1]]),
                       np.concatenate([g.offset_h[kept], sums[:, 2]]), post,
                       np.concatenate([g.cost[kept], sums[:, 4]]), np.concatenate([g.co2e[kept], sums[:, 5]]),
                       np.concatenate([g.transfer[kept], np.zeros(n_chain, dtype=np.int64)]), g.n_states)
    return Skeleton(arrays, kept, mptr, members, inside, nc, int(k.sum()))
