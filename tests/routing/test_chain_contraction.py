"""Contraction of degree-2 chains (routing/contract.py): on small random networks whose links are cut into chains of
junctions (as OpenStreetMap ways are), every query gives the same answer on the skeleton as on the full state graph:
the Pareto set (arcs, states, criteria to the bit), the single-criterion paths with and without corridor penalties,
with via points, avoided nodes / countries / modes, transfer caps and the corridor rule, and queries that start, end
or pass inside a chain. Chain arcs carry the exact sums of their members; chains hold at most one timetabled link and
never cross a border, a gauge or a mode change."""

from __future__ import annotations

import re

import numpy as np
import pytest

from silkway.errors import RoutingError
from silkway.network.model import CostRate, EmissionFactor, Facility, Link, Manifest, Network, Node, Param, Source
from silkway.routing import Router, stategraph
from silkway.routing.search import Query, best_path, pareto_front
from silkway.routing.stategraph import SPN, StateGraph

COUNTRIES = ("AA", "BB")
SRC = Source("S", "source", "t", "t", "2026")


def chain_network(seed: int, hubs: int = 5, edges: int = 8, max_cut: int = 4) -> Network:
    """``hubs`` places (cities, terminals, borders with facilities) joined by ``edges`` random lines, each cut into up to
    ``max_cut`` links through junctions; per line a mode (rail 1435 / 1520 / dual, road), per link its own distance,
    speed, energy, sometimes a timetable (so chains hold 0, 1 or 2 of them) and sometimes a country change midway."""
    rng = np.random.default_rng(seed)
    nodes = [Node(f"h{i}", f"Hub {i}", COUNTRIES[i % 2], 40.0 + i, 70.0 + i, ("city", "terminal", "junction")[i % 3]) for i in range(hubs)]
    facilities = [Facility(f"f{i}", f"h{i}", kind, gauges=(1435, 1520) if kind == "gauge_change" else (),
                           handling_h_median=float(rng.uniform(1, 9)), handling_h_p90=20.0,
                           customs_h_median=float(rng.uniform(0, 6)) if kind == "border" else None,
                           cost_usd_per_teu=float(rng.uniform(0, 90)))
                  for i in range(hubs) for kind in [("terminal", "gauge_change", "border", "seaport")[i % 4]]]
    links: list[Link] = []
    for e in range(edges):
        a, b = rng.choice(hubs, 2, replace=False)
        mode = ("rail", "rail", "rail", "road")[int(rng.integers(4))]
        gauge = ((1435,), (1520,), (1435, 1520), (1520, 1435))[int(rng.integers(4))] if mode == "rail" else ()
        corridor = ("northern",) if rng.uniform() < 0.7 else ("middle",)
        chain = [f"h{a}"]
        for k in range(int(rng.integers(0, max_cut))):
            country = nodes[a].country if rng.uniform() < 0.85 else COUNTRIES[1 - COUNTRIES.index(nodes[a].country)]
            nodes.append(Node(f"j{e}_{k}", f"J {e} {k}", country, 41.0 + e, 71.0 + k, "junction"))
            chain.append(nodes[-1].node_id)
        chain.append(f"h{b}")
        for k, (u, v) in enumerate(zip(chain, chain[1:], strict=False)):
            timed = rng.uniform() < 0.25
            links.append(Link(
                f"l{e}_{k}", u, v, mode, ("electric", "diesel")[int(rng.integers(2))] if mode == "rail" else "diesel",
                COUNTRIES[int(rng.integers(2))] if rng.uniform() < 0.1 else "AA", float(rng.uniform(10, 500)),
                float(rng.uniform(200, 1100)), float(rng.uniform(1.0, 2.0)), gauge_mm=gauge,
                corridor=corridor if rng.uniform() < 0.9 else ("kz",),
                departures_per_week=float(rng.integers(1, 8)) if timed else None,
                first_departure_h=float(rng.uniform(0, 167)) if timed else None))
    return Network(
        Manifest("chains", "1", "2026-11-30", "CC0"), (SRC,), tuple(nodes), tuple(links), tuple(facilities),
        emission_factors=(EmissionFactor("rail", "electric", 10.5), EmissionFactor("rail", "diesel", 21.3),
                          EmissionFactor("road", "diesel", 81.7)),
        cost_rates=(CostRate("rail", "*", 0.51), CostRate("rail", "BB", 0.33), CostRate("road", "*", 1.47)),
        params=(Param("tonnes_per_teu", 10), Param("train_teu", 100), Param("trade_usd_per_teu", 1),
                Param("transship_co2e_kg_per_teu", 5)))


def graphs(seed: int) -> tuple[StateGraph, StateGraph]:
    net = chain_network(seed)
    return StateGraph(net, contract_chains=False), StateGraph(net, contract_chains=True)


SEEDS = range(40)


def test_the_generator_gives_chains_and_the_skeleton_removes_them():
    contracted = [g.skeleton for g in (graphs(s)[1] for s in SEEDS)]
    assert sum(sk is not None for sk in contracted) >= 30
    assert sum(int(sk.inside.sum()) for sk in contracted if sk is not None) >= 100
    assert all(len(sk.arrays.head) < len(g.head) for sk, g in zip(contracted, (graphs(s)[0] for s in SEEDS), strict=True) if sk is not None)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_chain_arc_sums_its_members_and_stays_within_one_country_mode_and_gauge(seed):
    full, g = graphs(seed)
    sk = g.skeleton
    if sk is None:
        pytest.skip("no chain")
    cn = g.compiled
    n_kept = len(sk.kept)
    ar = sk.arrays
    for name in ("head", "tail", "pre_h", "period_h", "offset_h", "post_h", "cost", "co2e", "transfer"):  # kept arcs: as they were
        assert np.array_equal(getattr(ar, name)[:n_kept], getattr(g, name)[sk.kept]), name
    for c in range(len(sk.mptr) - 1):
        m = sk.members[sk.mptr[c]:sk.mptr[c + 1]].tolist()
        x = n_kept + c
        assert len(m) >= 2
        assert ar.tail[x] == g.tail[m[0]] and ar.head[x] == g.head[m[-1]]
        assert all(g.head[p] == g.tail[q] for p, q in zip(m, m[1:], strict=False))
        assert ar.cost[x] == pytest.approx(sum(g.cost[a] for a in m), rel=1e-12)
        assert ar.co2e[x] == pytest.approx(sum(g.co2e[a] for a in m), rel=1e-12)
        assert ar.fixed_h[x] == pytest.approx(sum(g.pre_h[a] + g.post_h[a] for a in m), rel=1e-12)
        timed = [a for a in m if g.period_h[a]]
        assert len(timed) <= 1 and ar.period_h[x] == (g.period_h[timed[0]] if timed else 0.0)
        links = [int(g.link[a]) for a in m]
        nodes = [int(g.tail[a]) // SPN for a in m] + [int(g.head[m[-1]]) // SPN]
        assert len({cn.country[v] for v in nodes}) == 1
        assert len({(cn.mode[i], cn.gauge_bits[i], cn.link_country[i]) for i in links}) == 1
        assert all(sk.inside[nodes[1:-1]]) and not sk.inside[[nodes[0], nodes[-1]]].any()
        for t in (0.0, 17.3, 101.9):  # the chain arc's time from any start equals walking its members
            walked = t
            for a in m:
                walked = _arc_time(g.pre_h[a], g.period_h[a], g.offset_h[a], g.post_h[a], walked)
            assert _arc_time(ar.pre_h[x], ar.period_h[x], ar.offset_h[x], ar.post_h[x], t) == pytest.approx(walked, rel=1e-12)
    # no original arc is lost: every arc is kept or a chain member, save those leaving a node inside a chain in the
    # state "border formalities just done" (unreachable: no border link and no facility there)
    lost = set(range(len(g.head))) - set(sk.kept.tolist()) - set(sk.members.tolist())
    assert all(g.tail[a] % 2 == 1 and sk.inside[g.tail[a] // SPN] for a in lost)
    assert len(set(sk.kept.tolist()) & set(sk.members.tolist())) == 0
    assert not any(len(g.out[s]) for v in np.flatnonzero(sk.inside) for s in range(v * SPN, (v + 1) * SPN)
                   if np.isin(g.out[s], sk.kept).any())


def _arc_time(pre, period, offset, post, t):
    t += pre
    if period:
        t = offset + np.ceil((t - offset) / period - 1e-9) * period
    return t + post


def _queries(g: StateGraph, rng: np.random.Generator, n: int):
    nodes = len(g.node_ids)
    for _ in range(n):
        o, d = (int(x) for x in rng.choice(nodes, 2, replace=False))
        via = tuple(int(x) for x in rng.choice(nodes, int(rng.integers(0, 2)))) if rng.uniform() < 0.3 else ()
        cap = int(rng.integers(0, 3)) if rng.uniform() < 0.2 else None
        yield Query(o, d, float(rng.uniform(0, 168)), via, cap)


def _avoid(g: StateGraph, rng: np.random.Generator) -> np.ndarray:
    nodes = frozenset(str(x) for x in rng.choice(g.node_ids, int(rng.integers(0, 3))))
    countries = frozenset({"BB"}) if rng.uniform() < 0.2 else frozenset()
    modes = frozenset({"road"}) if rng.uniform() < 0.2 else frozenset()
    return g.allowed_mask(nodes, countries, modes)


@pytest.mark.parametrize("seed", SEEDS)
def test_pareto_sets_and_best_paths_are_the_same_on_the_skeleton(seed):
    from silkway.routing import contract
    from silkway.routing.regions import build_regions

    full, g = graphs(seed)
    rng = np.random.default_rng(1000 + seed)
    rules_full, rules_g = build_regions(full), build_regions(g)
    pen = np.where(rng.uniform(size=g.compiled.n_links) < 0.5, 1.0, 3.0)[np.maximum(g.link, 0)]
    on_skeleton = ties = 0
    for q in _queries(g, rng, 25):
        ok = _avoid(g, rng)
        use_rules = rng.uniform() < 0.5
        a = pareto_front(full, q, ok, rules_full if use_rules else None)
        b = pareto_front(g, q, ok, rules_g if use_rules else None)
        assert a.paths == b.paths and a.eps == b.eps
        on_skeleton += g.skeleton is not None and not g.skeleton.inside[[q.origin, q.dest, *q.via]].any()
        for k in range(3):
            for p in (None, pen):
                x = best_path(full, q, ok, k, p, rules_full if use_rules else None)
                y = best_path(g, q, ok, k, p, rules_g if use_rules else None)
                if x != y:  # only a tie on the searched key may pick another path (the labels are made in another order)
                    ties += 1
                    assert x is not None and y is not None
                    assert _key(full, q, x, k, p) == pytest.approx(_key(full, q, y, k, p), rel=1e-12, abs=1e-9)
                    assert contract.replay(full, y, q) == y  # a real path of the full graph with its own criteria
    if g.skeleton is not None:
        assert on_skeleton > 0
    assert ties <= 6  # of 150 searches: 10 in all 6,000 of the 40 seeds (dual-gauge twins, equal CO2e)


def _key(g, q, p, k, pen):
    """The single-criterion search's key of path ``p`` walked on the full graph: criterion ``k`` with the multipliers."""
    from silkway.routing.stategraph import platform_index

    plat = platform_index(p.start_state)
    t = q.depart_h + g.hub_arrays(q.origin)[0][plat]
    key = g.hub_arrays(q.origin)[k][plat] + (q.depart_h if k == 0 else 0.0)
    for a in p.arcs:
        t2 = _arc_time(g.pre_h[a], g.period_h[a], g.offset_h[a], g.post_h[a], t)
        key += (t2 - t, g.cost[a], g.co2e[a])[k] * (1.0 if pen is None else pen[a])
        t = t2
    return key + g.hub_arrays(q.dest)[k][platform_index(p.end_state)]


def test_queries_naming_a_node_inside_a_chain_are_answered_on_the_full_graph():
    from silkway.routing import contract

    full, g = graphs(3)
    sk = g.skeleton
    assert sk is not None
    inner = int(np.flatnonzero(sk.inside)[0])
    outer = [int(v) for v in np.flatnonzero(~sk.inside)]
    ok = np.ones(len(g.head), dtype=np.bool_)
    for q in (Query(inner, outer[0], 5.0), Query(outer[0], inner, 5.0), Query(outer[0], outer[1], 5.0, (inner,))):
        assert contract.space(g, q, ok, None).skeleton is None
        assert pareto_front(full, q, ok).paths == pareto_front(g, q, ok).paths
    assert contract.space(g, Query(outer[0], outer[1], 5.0), ok, None).skeleton is sk


def test_avoiding_a_node_inside_a_chain_closes_the_whole_chain():
    full, g = graphs(3)
    sk = g.skeleton
    inner = g.node_ids[int(np.flatnonzero(sk.inside)[0])]
    ok = g.allowed_mask(frozenset({inner}), frozenset(), frozenset())
    mapped = sk.allowed(ok)
    n_kept = len(sk.kept)
    closed = [c for c in range(len(sk.mptr) - 1) if not mapped[n_kept + c]]
    assert closed
    for c in range(len(sk.mptr) - 1):
        m = sk.members[sk.mptr[c]:sk.mptr[c + 1]]
        assert mapped[n_kept + c] == ok[m].all()
        touches = inner in {g.node_of(int(g.head[a])) for a in m}
        assert mapped[n_kept + c] != touches


def test_a_penalty_that_varies_along_a_chain_falls_back_to_the_full_graph():
    from silkway.routing import contract

    _full, g = graphs(3)
    sk = g.skeleton
    pen = np.ones(len(g.head))
    pen[sk.members[sk.mptr[0]]] = 2.0
    q = Query(int(np.flatnonzero(~sk.inside)[0]), int(np.flatnonzero(~sk.inside)[1]), 0.0)
    ok = np.ones(len(g.head), dtype=np.bool_)
    assert contract.space(g, q, ok, None, pen).skeleton is None
    assert contract.space(g, q, ok, None, np.full(len(g.head), 2.0)).skeleton is sk


def test_the_router_answers_the_same_with_the_skeleton(monkeypatch):
    net = chain_network(11, hubs=6, edges=10)
    plain = Router(net)
    assert plain.graph.skeleton is None  # small networks do not contract by default
    monkeypatch.setattr(stategraph, "CONTRACT_MIN_NODES", 1)
    contracted = Router(chain_network(11, hubs=6, edges=10))
    assert contracted.graph.skeleton is not None
    sk = contracted.graph.skeleton
    inner = [contracted.graph.node_ids[v] for v in np.flatnonzero(sk.inside)]  # junctions inside chains
    queries = [("h0", "h1", ()), ("h2", "h4", ()), ("h5", "h3", ()), ("h1", "h5", ()), ("h4", "h0", ()),
               (inner[0], "h2", ()), ("h3", inner[-1], ()), ("h0", "h5", (inner[1],))]
    answered = 0
    for o, d, via in queries:
        try:
            a = plain.route(o, d, via=via, samples=50, seed=1)
        except RoutingError as exc:  # the same message either way
            with pytest.raises(RoutingError, match=re.escape(str(exc))):
                contracted.route(o, d, via=via, samples=50, seed=1)
            continue
        assert a == contracted.route(o, d, via=via, samples=50, seed=1)
        answered += 1
    assert answered >= 5


def test_the_embedded_network_does_not_contract_by_default():
    from silkway.network.dataset import read_dataset

    assert StateGraph(read_dataset()).skeleton is None


def test_a_network_that_is_one_chain_contracts_to_one_arc_per_platform_and_direction():
    """Two cities joined through three junctions and nothing else: every arc is a chain member, none is kept."""
    net = chain_network(0)
    nodes = (Node("a", "A", "AA", 40.0, 70.0, "city"), *(Node(f"j{i}", f"J{i}", "AA", 40.0, 70.1 + i, "junction") for i in range(3)),
             Node("b", "B", "AA", 40.0, 71.0, "city"))
    names = [n.node_id for n in nodes]
    links = tuple(Link(f"l{i}", u, v, "road", "diesel", "AA", 10.0 + i, 500.0, 1.2) for i, (u, v) in enumerate(zip(names, names[1:], strict=False)))
    one = Network(net.manifest, net.sources, nodes, links, (), emission_factors=net.emission_factors, cost_rates=net.cost_rates,
                  params=net.params)
    full, g = StateGraph(one, contract_chains=False), StateGraph(one, contract_chains=True)
    assert len(g.skeleton.kept) == 0 and len(g.skeleton.arrays.head) == 4  # two directions × two border states
    ok = np.ones(len(g.head), dtype=np.bool_)
    q = Query(0, 4, 3.0)
    assert pareto_front(g, q, ok).paths == pareto_front(full, q, ok).paths
    assert [len(p.arcs) for p in pareto_front(g, q, ok).paths] == [4]
