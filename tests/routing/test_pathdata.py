"""A path's arrays from per-arc blocks (routing/pathdata.py) are those of the step-by-step evaluation the planner used before them (``step_by_step.py``), to
the bit: on the embedded network's candidate paths, with its closures and with closures added at every node and
facility (so the first step of each arc gets closures from the step before it), and in any order of paths."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from step_by_step import path_arrays, path_steps

from silkway.network import read_dataset
from silkway.routing import Router
from silkway.routing.batch import corridor_paths
from silkway.routing.evaluate import Elements, PathArrays
from silkway.routing.hazards import Hazards
from silkway.routing.pathdata import ArcBlocks
from silkway.routing.search import Path, Query, pareto_paths
from silkway.routing.timeline import LognormalTable

PAIRS = [("xian", "duisburg"), ("khorgos", "baku"), ("chengdu", "tehran"), ("lianyungang", "budapest"),
         ("alashankou", "brest"), ("aktau", "constanta"), ("almaty", "astana"), ("chongqing", "malaszewicze")]


@pytest.fixture(scope="module")
def router():
    return Router(read_dataset())


@pytest.fixture(scope="module")
def paths(router) -> list[Path]:
    g, out = router.graph, []
    allowed = router.allowed(router.parse_avoid(()))
    for a, b in PAIRS:
        q = Query(g.node_index[router.resolve(a)], g.node_index[router.resolve(b)], 0.0)
        out += pareto_paths(g, q, allowed, router.regions)
        out += [p for p in corridor_paths(g, q, allowed, 0, router._penalties, range(len(router.corridors)), router.regions) if p]
    assert len(out) > 20
    return out


def _same(x: PathArrays, y: PathArrays) -> None:
    assert x.f.tobytes() == y.f.tobytes() and x.i.tobytes() == y.i.tobytes()
    assert (x.by_train, x.ends, x.distance_km, x.legs) == (y.by_train, y.ends, y.distance_km, y.legs)


def _hazards_everywhere(router: Router) -> Hazards:
    """The network's hazards plus a closure on every node and facility (copies of one of its closures)."""
    hz = Hazards(router.net)
    model = next(c for cs in hz.by.values() for c in cs)
    for n in router.net.nodes:
        hz.by.setdefault(("node", n.node_id), []).append(dataclasses.replace(model, closure_id=f"t_{n.node_id}"))
    for f in router.net.facilities:
        hz.by.setdefault(("facility", f.facility_id), []).append(dataclasses.replace(model, closure_id=f"t_{f.facility_id}"))
    return hz


@pytest.mark.parametrize("everywhere", [False, True])
def test_blocks_give_the_step_by_step_arrays(router, paths, everywhere):
    g = router.graph
    hz = _hazards_everywhere(router) if everywhere else Hazards(router.net)
    table, elements = LognormalTable(), Elements()
    blocks = ArcBlocks(g, hz, table, elements)
    slow_table, slow_elements = LognormalTable(), Elements()
    for p in paths + paths[::-1]:  # the second time every block is kept
        fast = blocks.path_arrays(p)
        slow = path_arrays(g, path_steps(g, p), hz, slow_table, slow_elements)
        assert [table.sigmas[k] for k in fast.i[:, 1] if k >= 0] == [slow_table.sigmas[k] for k in slow.i[:, 1] if k >= 0]
        assert [elements.keys[k] for k in fast.i[:, 2] if k >= 0] == [slow_elements.keys[k] for k in slow.i[:, 2] if k >= 0]
        keep = np.ones(fast.i.shape[1], dtype=bool)
        keep[[1, 2]] = False  # the sigma rows and station numbers, compared as what they stand for above
        _same(fast._replace(i=fast.i[:, keep]), slow._replace(i=slow.i[:, keep]))
    if everywhere:  # arcs whose first step got closures from the step before it, and some that did not
        assert sum(b.context for b in blocks._blocks.values()) > 10


def test_blocks_match_with_shared_numbering(router, paths):
    """With the router's own table and station numbering, the arrays are equal to the bit, columns and all."""
    g = router.graph
    blocks = ArcBlocks(g, router.hazards, router.lognormals, router.elements)
    for p in paths:
        _same(blocks.path_arrays(p), path_arrays(g, path_steps(g, p), router.hazards, router.lognormals, router.elements))


def test_empty_path(router):
    g = router.graph
    p = Path(0, (), 0, 0.0, 0.0, 0.0, 0)
    _same(ArcBlocks(g, router.hazards, LognormalTable(), Elements()).path_arrays(p),
          path_arrays(g, path_steps(g, p), router.hazards, LognormalTable(), Elements()))
