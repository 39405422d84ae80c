"""Property tests on small random networks: the Pareto set equals brute-force enumeration of simple
paths (with and without a transfer cap, via points and the corridor rules; also on state graphs whose arcs get
independent, direction-dependent time, cost and CO2e, and within the stated (1 + ε) when the ε-dominance cap is
forced), the lower bounds never exceed the brute-force optimum, the planner relaxes the corridor rules
only when no route obeys them at any transfer count, and avoided countries, nodes and modes never appear in a
returned route."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from silkway.errors import RoutingError
from silkway.network.model import CostRate, EmissionFactor, Facility, Link, Manifest, Network, Node, Param, Source
from silkway.routing import Router
from silkway.routing.search import Query, arc_time, lower_bounds, near_states, pareto_front, pareto_paths
from silkway.routing.stategraph import N_PLATFORMS, SPN, platform_index

COUNTRIES = ("AA", "BB", "CC")
SRC = Source("S", "source", "t", "t", "2026")


@st.composite
def networks(draw):
    n = draw(st.integers(3, 5))
    nodes = tuple(Node(f"n{i}", f"Node {i}", draw(st.sampled_from(COUNTRIES)), 40.0 + i, 70.0 + i, "junction") for i in range(n))
    links = []
    for j in range(draw(st.integers(2, 7))):
        a, b = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        mode = draw(st.sampled_from(("rail", "rail", "road", "ferry")))
        gauge = draw(st.sampled_from(((1435,), (1520,), (1435, 1520)))) if mode == "rail" else ()
        energy = {"rail": draw(st.sampled_from(("electric", "diesel"))), "road": "diesel", "ferry": "hfo"}[mode]
        sched = mode == "ferry" or draw(st.integers(0, 4)) == 0
        links.append(Link(
            f"l{j}", f"n{a}", f"n{b}", mode, energy, draw(st.sampled_from((*COUNTRIES, "XX"))),
            float(draw(st.integers(10, 500))), float(draw(st.integers(100, 1000))), 1.0 + draw(st.integers(0, 10)) / 10, gauge_mm=gauge,
            via_countries=tuple(draw(st.lists(st.sampled_from(("DD", "AA")), max_size=1))),
            corridor=tuple(draw(st.lists(st.sampled_from(("northern", "middle", "kz")), max_size=2, unique=True))),
            departures_per_week=float(draw(st.integers(1, 7))) if sched else None,
            first_departure_h=float(draw(st.integers(0, 167))) if sched else None))
    facilities = []
    for i in range(n):
        for kind in draw(st.lists(st.sampled_from(("gauge_change", "border", "seaport", "terminal")), max_size=2, unique=True)):
            h = float(draw(st.integers(0, 12)))
            facilities.append(Facility(
                f"f{i}_{kind}", f"n{i}", kind, gauges=(1435, 1520) if kind == "gauge_change" else (),
                handling_h_median=h if kind != "border" else None, handling_h_p90=2 * h if kind != "border" else None,
                customs_h_median=float(draw(st.integers(0, 8))) if kind in ("border", "seaport") else None,
                cost_usd_per_teu=float(draw(st.integers(0, 100)))))
    return Network(
        Manifest("rnd", "1", "2026-11-24", "CC0"), (SRC,), nodes, tuple(links), tuple(facilities),
        emission_factors=(EmissionFactor("rail", "electric", 10), EmissionFactor("rail", "diesel", 20),
                          EmissionFactor("road", "diesel", 80), EmissionFactor("ferry", "hfo", 100)),
        cost_rates=(CostRate("rail", "*", 0.5), CostRate("rail", "AA", 0.3), CostRate("road", "*", 1.5), CostRate("ferry", "*", 1.0)),
        params=(Param("tonnes_per_teu", 10), Param("train_teu", 100), Param("trade_usd_per_teu", 1), Param("transship_co2e_kg_per_teu", 5)),
    )


def _regions_left(net, g, a, left):
    """The corridor rule written again from the records: None when arc ``a`` re-enters a country left or crosses a
    water body crossed before, else the new set of regions left (countries, and ('water', port set))."""
    if g.link[a] < 0:
        return left
    lk = net.links[g.link[a]]
    cu, cv = (net.node_by_id[g.node_of(s)].country for s in (g.tail[a], g.head[a]))
    if cu == cv:
        return left
    if cv in left:
        return None
    new = left | {cu}
    if lk.mode in ("ferry", "feeder", "sea"):
        body = ("water", _water_body(net, lk.from_node))
        if body in left:
            return None
        new |= {body}
    return new


def _water_body(net, port):
    water = [lk for lk in net.links if lk.mode in ("ferry", "feeder", "sea")]
    seen, stack = set(), [port]
    while stack:
        x = stack.pop()
        if x not in seen:
            seen.add(x)
            stack += [b for lk in water for a, b in ((lk.from_node, lk.to_node), (lk.to_node, lk.from_node)) if a == x]
    return frozenset(seen)


def _brute_front(g, origin: int, dest: int, depart: float, ok, cap: int | None, via: tuple[int, ...] = (), rules: bool = False):
    """All simple paths over (state, via points passed) from the origin to the first arrival at the
    destination after every via point, Pareto-filtered (with ``rules``: only paths obeying the corridor rule)."""
    found = []
    budget = [50_000]

    def finish(s, t, c, e):
        hub = g.hub(g.node_of(s), platform_index(s))
        return (t, c, e) if hub is None else (t + hub.median_h, c + hub.cost_usd_per_teu, e + hub.co2e_kg_per_teu)

    def dfs(s, layer, t, c, e, tr, seen, left=frozenset()):
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooMany
        if s // SPN == dest and layer == len(via):
            ft, fc, fe = finish(s, t, c, e)
            found.append((ft - depart, fc, fe, tr))
            return
        for a in g.out[s]:
            h = g.head[a]
            h_layer = layer + 1 if layer < len(via) and h // SPN == via[layer] else layer
            left2 = _regions_left(g.net, g, a, left) if rules else left
            if ok[a] and left2 is not None and (h, h_layer) not in seen and (cap is None or tr + g.transfer[a] <= cap):
                dfs(h, h_layer, arc_time(g, a, t), c + g.cost[a], e + g.co2e[a], tr + g.transfer[a], seen | {(h, h_layer)}, left2)

    layer0 = 0
    while layer0 < len(via) and via[layer0] == origin:
        layer0 += 1
    for p in range(N_PLATFORMS):
        s = origin * SPN + 2 * p
        hub = g.hub(g.node_of(s), p)
        t0, c0, e0 = (depart, 0.0, 0.0) if hub is None else (depart + hub.median_h, hub.cost_usd_per_teu, hub.co2e_kg_per_teu)
        dfs(s, layer0, t0, c0, e0, 0, {(s, layer0)})
    crit = (lambda x: x) if cap is not None else (lambda x: x[:3])
    pts = {tuple(round(v, 6) for v in crit(f)) for f in found}
    return {p for p in pts if not any(o != p and all(a <= b for a, b in zip(o, p, strict=True)) for o in pts)}


class _TooMany(Exception):
    """The network has too many simple paths to enumerate within the test's budget."""


def _own_mask(net, g, countries, nodes, modes):
    """The avoid rule written again from the records, independent of routing.constraints."""
    out = []
    for a in range(len(g.head)):
        ends = {g.node_of(g.tail[a]), g.node_of(g.head[a])}
        cs = {net.node_by_id[x].country for x in ends}
        if g.link[a] >= 0:
            lk = net.links[g.link[a]]
            cs |= set(lk.countries)
            if lk.mode in modes:
                out.append(False)
                continue
        out.append(not (ends & nodes or cs & countries))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_pareto_equals_brute_force(net, data):
    router = Router(net)
    g = router.graph
    rules = data.draw(st.booleans())
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    cap = data.draw(st.one_of(st.none(), st.integers(0, 2)))
    depart = float(data.draw(st.integers(0, 167)))
    countries = set(data.draw(st.lists(st.sampled_from(("BB", "DD")), max_size=1)))
    modes = set(data.draw(st.lists(st.sampled_from(("road", "ferry")), max_size=1)))
    via = tuple(data.draw(st.lists(st.integers(0, len(net.nodes) - 1), max_size=1)))
    ok = _own_mask(net, g, countries, set(), modes)
    front = pareto_paths(g, Query(o, d, depart, via, cap), ok, router.regions if rules else None)
    got = {tuple(round(v, 6) for v in ((p.arrival_h - depart, p.cost_usd_per_teu, p.co2e_kg_per_teu, p.transfers)
                                       if cap is not None else (p.arrival_h - depart, p.cost_usd_per_teu, p.co2e_kg_per_teu)))
           for p in front}
    try:
        brute = _brute_front(g, o, d, depart, ok, cap, via, rules)
    except _TooMany:
        reject()
    assert got == brute
    event(f"front size {min(len(got), 3)}{' with a via point' if via else ''}{' with corridor rules' if rules else ''}")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_avoided_elements_never_appear(net, data):
    r = Router(net)
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    avoid = data.draw(st.lists(st.sampled_from(("BB", "DD", "road", "ferry", "n0", "n1", "n2")), max_size=2, unique=True))
    try:
        res = r.route(f"n{o}", f"n{d}", avoid=avoid, alternatives=5)
    except RoutingError as exc:
        assert "avoid" in str(exc) or "does not connect" in str(exc) or "same place" in str(exc)
        return
    for opt in (*res.options, *res.pareto):
        for leg in opt.legs:
            touched = {leg.from_node, leg.to_node}
            assert not touched & set(avoid)
            assert not {net.node_by_id[x].country for x in touched} & set(avoid)
            if leg.kind == "move":
                assert leg.mode not in avoid
                assert not set(net.link_by_id[leg.link_id].countries) & set(avoid)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_rules_relaxed_only_when_no_route_obeys_them_at_any_transfer_count(net, data):
    """The planner drops the corridor rules only when no route obeys them even without the transfer cap (the via
    points or the network demand it); when the cap alone rules them out it names the cap and the fewest transfers a
    rule-abiding route needs. Checked against brute force with the rule written again from the records."""
    router = Router(net)
    g = router.graph
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    cap = data.draw(st.one_of(st.none(), st.integers(0, 2)))
    via = tuple(data.draw(st.lists(st.sampled_from([v for v in range(len(net.nodes)) if v not in (o, d)]), max_size=1)))
    ok = [True] * len(g.head)
    try:
        ruled = {k: _brute_front(g, o, d, 0.0, ok, k, via, rules=True) for k in (None, *range(0, 7))}
        free = _brute_front(g, o, d, 0.0, ok, cap, via, rules=False)
    except _TooMany:
        reject()
    try:
        res = router.route(f"n{o}", f"n{d}", via=[f"n{v}" for v in via], max_transfers=cap, samples=5)
    except RoutingError as exc:
        if ruled[None] and cap is not None and not ruled[cap]:
            fewest = min(k for k in range(7) if ruled[k])
            assert f"max transfers {cap}" in str(exc) and f"needs {fewest} transfers" in str(exc)
            event("cap named")
        else:
            assert not free and not ruled[cap]
            event("infeasible")
        return
    assert res.constraints["corridor_rules"] == bool(ruled[None])
    assert ruled[cap] if res.constraints["corridor_rules"] else free
    event("rules kept" if res.constraints["corridor_rules"] else "rules relaxed")


def _skew(g, data):
    """Give every arc of ``g`` its own time before and after the departure, cost and CO2e, drawn independently per
    direction (asymmetric) and per criterion (they pull in different directions), before the graph is compiled."""
    n = len(g.head)
    ints = lambda lo, hi: [float(x) for x in data.draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))]  # noqa: E731
    g.pre_h, g.post_h, g.cost, g.co2e = ints(0, 30), ints(1, 300), ints(0, 400), ints(0, 400)


def _crit(paths, depart, cap):
    return {tuple(round(v, 6) for v in ((p.arrival_h - depart, p.cost_usd_per_teu, p.co2e_kg_per_teu, p.transfers)
                                        if cap is not None else (p.arrival_h - depart, p.cost_usd_per_teu, p.co2e_kg_per_teu)))
            for p in paths}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_pareto_equals_brute_force_on_asymmetric_mixed_criteria(net, data):
    """Each direction of each arc gets independent time, cost and CO2e (timetables kept: waits still apply): the
    compiled search with its reverse-search lower bounds returns exactly the brute-force Pareto set, and each bound is
    at most the best value of its criterion over every route on from that state."""
    router = Router(net)
    g = router.graph
    _skew(g, data)
    rules = data.draw(st.booleans())
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    cap = data.draw(st.one_of(st.none(), st.integers(0, 2)))
    depart = float(data.draw(st.integers(0, 167)))
    via = tuple(data.draw(st.lists(st.integers(0, len(net.nodes) - 1), max_size=1)))
    ok = _own_mask(net, g, set(data.draw(st.lists(st.sampled_from(("BB", "DD")), max_size=1))), set(), set())
    front = pareto_front(g, Query(o, d, depart, via, cap), ok, router.regions if rules else None, eps=0.0)
    try:
        brute = _brute_front(g, o, d, depart, ok, cap, via, rules)
    except _TooMany:
        reject()
    assert front.eps == 0.0
    assert _crit(front.paths, depart, cap) == brute
    try:
        free = _brute_front(g, o, d, 0.0, ok, None)  # no rules, no via: the bounds ignore both
    except _TooMany:
        reject()
    lb = lower_bounds(g, d, ok)
    for k in range(3):  # the bound of the best start state is at most the brute-force optimum of each criterion
        starts = []
        for p in range(N_PLATFORMS):
            hub = g.hub(g.node_ids[o], p)
            start = 0.0 if hub is None else (hub.median_h, hub.cost_usd_per_teu, hub.co2e_kg_per_teu)[k]
            starts.append(lb.per_state(k)[o * SPN + 2 * p] + start)
        if free:
            assert min(starts) <= min(x[k] for x in free) + 1e-6
    event(f"front size {min(len(brute), 4)}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_eps_cap_keeps_its_guarantee(net, data):
    """With the ε-dominance cap forced from the first route on (max_front=0), every route of the exact (brute-force)
    Pareto set has a returned route within (1 + ε) on time since departure, cost and CO2e, and every returned route
    is a real one (no better than some exact Pareto route)."""
    router = Router(net)
    g = router.graph
    _skew(g, data)
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    eps = data.draw(st.sampled_from((0.05, 0.2, 0.5)))
    ok = [True] * len(g.head)
    front = pareto_front(g, Query(o, d, 0.0), ok, None, max_front=0, eps=eps)
    try:
        brute = _brute_front(g, o, d, 0.0, ok, None)
    except _TooMany:
        reject()
    got = _crit(front.paths, 0.0, None)
    assert bool(got) == bool(brute)
    for b in brute:
        assert any(all(x <= (1 + eps) * y + 1e-6 for x, y in zip(r, b, strict=True)) for r in got)
    for r in got:
        assert any(all(y <= x + 1e-6 for x, y in zip(r, b, strict=True)) for b in brute)
    event(f"thinned {len(brute) - len(got)}" if front.eps else "exact")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), data=st.data())
def test_bounds_cut_short_around_the_start_keep_the_front_exact(net, data):
    """The lower bounds cut short past REACH × the bound of the query's start states (as on large networks; forced
    here with large_nodes=0) are never above the full ones, and the exact Pareto search with them still equals brute
    force (asymmetric, mixed criteria: _skew)."""
    router = Router(net)
    g = router.graph
    _skew(g, data)
    o, d = data.draw(st.lists(st.integers(0, len(net.nodes) - 1), min_size=2, max_size=2, unique=True))
    ok = np.ones(len(g.head), dtype=np.bool_)
    q = Query(o, d, 0.0)
    near = near_states(g, q, ok, g.arrays(), large_nodes=0)
    assert near is not None
    full, cut = lower_bounds(g, d, ok), lower_bounds(g, d, ok, near=near)
    for k in range(3):
        assert np.all(cut.per_state(k) <= full.per_state(k))
    front = pareto_front(g, q, ok, None, eps=0.0, large_nodes=0)
    try:
        brute = _brute_front(g, o, d, 0.0, ok, None)
    except _TooMany:
        reject()
    assert _crit(front.paths, 0.0, None) == brute
    event("cut short" if any(np.any(cut.per_state(k) < full.per_state(k)) for k in range(3)) else "not cut")
