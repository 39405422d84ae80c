"""The ε-dominance of the Pareto search (``search.pareto_front`` on large networks): label-level, within the bags of
the states, with debts (docs/routing.md "Large networks"). Checked against brute-force enumeration on small random
networks (symmetric: the dataset's own figures; asymmetric and mixed: every arc direction given its own time, cost and
CO2e; timetables kept) with ε switched on from the first label, and on a chain of trade-off diamonds where a rule that
let each state lose a factor (1 + ε) of its own would compound past (1 + ε)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st
from test_pareto_property import _brute_front, _crit, _skew, _TooMany, networks

from silkway.network.model import CostRate, EmissionFactor, Link, Manifest, Network, Node, Param, Source
from silkway.routing import Router
from silkway.routing.search import Query, arc_time, pareto_front
from silkway.routing.stategraph import SPN, platform_index


def _walk(g, p, depart):
    """The criteria of path ``p`` summed again arc by arc from the start state (loading and unloading included), after
    checking it is a connected walk from the origin's state to the destination's."""
    s = p.start_state
    hub = g.hub(g.node_of(s), platform_index(s))
    t, c, e = (depart, 0.0, 0.0) if hub is None else (depart + hub.median_h, hub.cost_usd_per_teu, hub.co2e_kg_per_teu)
    for a in p.arcs:
        assert g.tail[a] == s
        t, c, e, s = arc_time(g, a, t), c + g.cost[a], e + g.co2e[a], g.head[a]
    assert s == p.end_state
    hub = g.hub(g.node_of(s), platform_index(s))
    if hub is not None:
        t, c, e = t + hub.median_h, c + hub.cost_usd_per_teu, e + hub.co2e_kg_per_teu
    return t, c, e


def _check_cover(g, front, brute, o, d, depart, eps):
    got = _crit(front.paths, depart, None)
    assert bool(got) == bool(brute)
    for b in brute:  # the guarantee: every exact Pareto route has a returned one within (1 + ε) on each criterion
        assert any(all(x <= (1 + eps) * y + 1e-6 for x, y in zip(r, b, strict=True)) for r in got), (b, got)
    for r in got:  # real routes: no better than some exact Pareto route
        assert any(all(y <= x + 1e-6 for x, y in zip(r, b, strict=True)) for b in brute)
    for p in front.paths:
        assert p.start_state // SPN == o and p.end_state // SPN == d
        assert _walk(g, p, depart) == pytest.approx((p.arrival_h, p.cost_usd_per_teu, p.co2e_kg_per_teu), abs=1e-6)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_eps_from_the_first_label_covers_the_exact_front(net, data):
    """ε on from the start (as on a large network): every brute-force Pareto route is (1 + ε)-covered, the returned
    routes are real walks whose criteria sum up again arc by arc, and the answer says why ε was used."""
    router = Router(net)
    g = router.graph
    skew = data.draw(st.booleans())
    if skew:
        _skew(g, data)
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    eps = data.draw(st.sampled_from((0.01, 0.1, 0.3, 1.0)))
    depart = float(data.draw(st.integers(0, 167)))
    ok = [True] * len(g.head)
    front = pareto_front(g, Query(o, d, depart), ok, None, eps=eps, large_nodes=0)
    try:
        brute = _brute_front(g, o, d, depart, ok, None)
    except _TooMany:
        reject()
    _check_cover(g, front, brute, o, d, depart, eps)
    if front.paths:
        assert front.eps == eps and "nodes" in front.reason and f"ε = {eps:g}" in front.note
    event(f"{'asymmetric' if skew else 'symmetric'}: {'thinned' if len(front.paths) < len(brute) else 'all'}")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_label_cap_switches_eps_on_midway(net, data):
    """ε switched on after a few labels (the label cap): the debts start from there and the guarantee still holds."""
    router = Router(net)
    g = router.graph
    _skew(g, data)
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    eps = data.draw(st.sampled_from((0.05, 0.5)))
    cap = data.draw(st.integers(0, 30))
    ok = [True] * len(g.head)
    front = pareto_front(g, Query(o, d, 0.0), ok, None, eps=eps, max_labels=cap)
    try:
        brute = _brute_front(g, o, d, 0.0, ok, None)
    except _TooMany:
        reject()
    _check_cover(g, front, brute, o, d, 0.0, eps)
    if front.eps:
        assert front.labels > cap and f"passed {cap:,} labels" in front.reason
    event("switched on" if front.eps else "stayed exact")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_eps_doubled_midway_keeps_the_guarantee_of_the_final_eps(net, data):
    """ε doubled each time the labels double past a few (as past search.WIDEN_LABELS on a large network): every
    brute-force Pareto route is covered within the ε the answer reports, which is the first ε times a power of two, at
    most search.MAX_EPS, and the reason says it was doubled."""
    from silkway.routing import search

    router = Router(net)
    g = router.graph
    _skew(g, data)
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    eps = data.draw(st.sampled_from((0.01, 0.05)))
    widen, kept = data.draw(st.integers(1, 40)), search.WIDEN_LABELS
    ok = [True] * len(g.head)
    search.WIDEN_LABELS = widen
    try:
        front = pareto_front(g, Query(o, d, 0.0), ok, None, eps=eps, large_nodes=0)
    finally:
        search.WIDEN_LABELS = kept
    try:
        brute = _brute_front(g, o, d, 0.0, ok, None)
    except _TooMany:
        reject()
    _check_cover(g, front, brute, o, d, 0.0, front.eps)
    if front.paths:
        doublings = round(math.log2(front.eps / eps))
        assert front.eps == pytest.approx(eps * 2 ** doublings) and eps <= front.eps <= search.MAX_EPS
        assert (front.eps > eps) == ("doubled" in front.reason)
        assert front.eps == eps or front.labels > widen
        event(f"ε × {2 ** doublings}")


def _diamonds(k: int) -> Network:
    """n0 → n1 (a long first leg) and then ``k`` diamonds n(i) → a(i) | b(i) → n(i+1), one rail link per edge."""
    src = Source("S", "source", "t", "t", "2026")
    nodes = [Node(f"n{i}", f"N{i}", "AA", 40.0, 60.0 + i, "junction") for i in range(k + 2)]
    nodes += [Node(f"{x}{i}", f"{x}{i}", "AA", 40.0 + (1 if x == "a" else -1), 60.5 + i, "junction") for i in range(1, k + 1) for x in "ab"]
    links = [Link("first", "n0", "n1", "rail", "electric", "AA", 1000.0, 1000.0, 1.0, gauge_mm=(1520,))]
    for i in range(1, k + 1):
        for x in "ab":
            links.append(Link(f"{x}{i}in", f"n{i}", f"{x}{i}", "rail", "electric", "AA", 10.0, 1000.0, 1.0, gauge_mm=(1520,)))
            links.append(Link(f"{x}{i}out", f"{x}{i}", f"n{i + 1}", "rail", "electric", "AA", 10.0, 1000.0, 1.0, gauge_mm=(1520,)))
    return Network(Manifest("d", "1", "2026-11-30", "CC0"), (src,), tuple(nodes), tuple(links), (),
                   emission_factors=(EmissionFactor("rail", "electric", 10),), cost_rates=(CostRate("rail", "*", 1.0),),
                   params=(Param("tonnes_per_teu", 10), Param("transship_co2e_kg_per_teu", 5)))


@pytest.mark.parametrize("b_first", [False, True])
@pytest.mark.parametrize("eps", [0.01, 0.05])
def test_trade_offs_along_a_chain_do_not_compound(eps, b_first):
    """After a long first leg (1000 h, USD, kg), each of 12 diamonds offers ``a`` (+0.9 ε × 1000 USD) or ``b``
    (+0.9 ε × 1000 kg CO2e), the same time: at every junction the two best labels are within (1 + ε) of each other,
    so a rule that let each state lose its own factor (1 + ε) (or a per-state ε not shrunk for the path's length)
    could hand back all-``b`` for all-``a``, 1 + 10.8 ε off in CO2e. The exact front (13 points) must stay (1 + ε)-covered."""
    k = 12
    net = _diamonds(k)
    g = Router(net).graph
    step = 0.9 * eps * 1000
    n = len(g.head)
    g.pre_h, g.post_h, g.cost, g.co2e = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
    for a in range(n):
        lk = net.links[g.link[a]]
        forward = g.node_of(g.tail[a]) == lk.from_node
        if not forward:
            g.post_h[a] = g.cost[a] = g.co2e[a] = 1e6
        elif lk.link_id == "first":
            g.post_h[a] = g.cost[a] = g.co2e[a] = 1000.0
        elif lk.link_id.endswith("in"):
            g.post_h[a] = 1.0 + (0.001 if (lk.link_id[0] == "a") == b_first else 0.0)  # which label the heap meets first
            if lk.link_id[0] == "a":
                g.cost[a] = step
            else:
                g.co2e[a] = step
    front = pareto_front(g, Query(0, k + 1, 0.0), [True] * n, None, eps=eps, large_nodes=0)
    got = {(p.cost_usd_per_teu, p.co2e_kg_per_teu) for p in front.paths}
    exact = [(1000 + j * step, 1000 + (k - j) * step) for j in range(k + 1)]
    for c, e in exact:
        assert any(x <= (1 + eps) * c + 1e-6 and y <= (1 + eps) * e + 1e-6 for x, y in got), ((c, e), sorted(got))
    assert len(got) < len(exact)  # and it did thin the front (else the test would prove nothing)
    exact_front = pareto_front(g, Query(0, k + 1, 0.0), [True] * n, None, eps=0.0)
    assert {(round(p.cost_usd_per_teu, 6), round(p.co2e_kg_per_teu, 6)) for p in exact_front.paths} == {
        (round(c, 6), round(e, 6)) for c, e in exact}


def test_an_answer_says_exact_only_when_the_set_is_exact(monkeypatch):
    """The method of a route answer begins "exact Pareto label-setting" when the set is exact, and without "exact",
    with the ε and why, when it was thinned (forced here on the embedded network, as on a network of 50,000 nodes)."""
    from functools import partial

    from silkway.network.dataset import read_dataset
    from silkway.routing import planner, search

    router = Router(read_dataset())
    exact = router.route("Xian", "Duisburg", samples=20, conditions=None)
    assert exact.method.startswith("exact Pareto label-setting") and "ε" not in exact.method
    monkeypatch.setattr(planner, "pareto_front", partial(search.pareto_front, large_nodes=0))
    thinned = Router(read_dataset()).route("Xian", "Duisburg", samples=20, conditions=None)
    assert thinned.method.startswith("Pareto label-setting")
    assert "thinned by ε-dominance (ε = 0.01) because the network has" in thinned.method
