"""Via points on large networks: the Pareto search's lower bounds per via layer (``search.layered_bounds``) and the
corridor rule's search that gives up (``search.GIVE_UP_LABELS``). On a 1M-node grid a query with one via point made
20 million labels (110 s) before; the brute-force property test (``test_pareto_property.py``, via points included)
checks the pruning stays exact."""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import pytest

from silkway.network import read_dataset
from silkway.routing import Router, planner, search
from silkway.routing.constraints import Avoid
from silkway.routing.search import Query, layered_bounds, lower_bounds, pareto_front
from silkway.routing.stategraph import SPN


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(read_dataset())


def _query(r: Router, origin: str, dest: str, via: tuple[str, ...]) -> Query:
    idx = r.graph.node_index
    return Query(idx[r.resolve(origin)], idx[r.resolve(dest)], 0.0, tuple(idx[r.resolve(v)] for v in via))


def test_each_layer_bounds_the_rest_of_every_route_and_is_tighter_than_the_destination_alone(router: Router) -> None:
    g = router.graph
    q = _query(router, "Xi'an", "Duisburg", ("Baku",))
    ok = router.allowed(Avoid())
    ar = g.arrays()
    lb = lower_bounds(g, q.dest, ok, ar=ar)
    assert lb is not None
    layers = layered_bounds(g, q, ok, ar, lb)
    assert all(x.shape == (2, len(lb.time)) for x in layers)
    for x, dest_only in zip(layers, (lb.time, lb.cost, lb.co2e), strict=True):
        assert np.array_equal(x[1], dest_only)  # the last layer: the destination's own bound
        finite = np.isfinite(x[0])
        assert (x[0][finite] >= dest_only[finite]).all()  # never looser: the larger of the two bounds
        assert (x[0] > dest_only + 1e-6).any()  # and tighter somewhere (Baku is a detour from Xi'an to Duisburg)
    # every Pareto route, from its first state on, costs at least the layer-0 bound there (loading at the origin excluded)
    front = pareto_front(g, q, ok, router.regions, eps=0.0)
    assert front.paths
    for p in front.paths:
        row = lb.row[p.start_state]
        ht, hc, he = g.hub_arrays(q.origin)
        plat = (p.start_state // 2) % (SPN // 2)
        assert layers[1][0, row] <= p.cost_usd_per_teu - hc[plat] + 1e-6
        assert layers[2][0, row] <= p.co2e_kg_per_teu - he[plat] + 1e-6
        assert layers[0][0, row] <= p.arrival_h - q.depart_h - ht[plat] + 1e-6  # waits only add to the bound's hours


def test_the_rule_search_gives_up_and_the_answer_says_so(router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    """Almaty → Astana via Baku must re-enter Kazakhstan. As on a large network (ε on, a label budget for the corridor
    rule's search), with a budget of 50 labels: the rule's search stops without a route, the planner searches without
    the rule and its method says within how many labels none was found."""
    q = _query(router, "Almaty", "Astana", ("Baku",))
    ok = router.allowed(Avoid())
    found = pareto_front(router.graph, _query(router, "Xi'an", "Duisburg", ()), ok, router.regions, large_nodes=0)
    assert not found.gave_up and found.paths  # the shipped budget: a query with rule-abiding routes finds them
    monkeypatch.setattr(search, "GIVE_UP_LABELS", 50)
    gave_up = pareto_front(router.graph, q, ok, router.regions, large_nodes=0)
    assert gave_up.gave_up and not gave_up.paths and 50 < gave_up.labels < 100  # stopped at the first pop past 50
    assert pareto_front(router.graph, q, ok, None, large_nodes=0).paths  # without the rule: never gives up
    monkeypatch.setattr(planner, "pareto_front", partial(pareto_front, large_nodes=0))
    res = router.route("Almaty", "Astana", via=["Baku"], samples=50)
    assert not res.constraints["corridor_rules"]
    assert re.search(r"\(relaxed for this query: no route obeying it with these via points was found within the first \d+ labels "
                     r"of its search\)", res.method), res.method
