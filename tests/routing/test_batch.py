"""The corridor alternatives in one compiled call (routing/batch.py): the same paths as ``best_path`` per corridor, and a
numba cache that goes stale when the search file it calls (kernels.py) is edited, not only its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import silkway
from silkway.kernel_cache import cache_on_sources, digest, sources_cache
from silkway.network import read_dataset
from silkway.routing import Router, batch
from silkway.routing.constraints import Avoid
from silkway.routing.search import Query, best_path, lower_bounds, pareto_front

ROUTING = Path(silkway.__file__).parent / "routing"


@pytest.fixture(scope="module")
def router():
    return Router(read_dataset())


@pytest.mark.parametrize("objective", [0, 1, 2])
@pytest.mark.parametrize(("o", "d", "via", "rules"), [("Xi'an", "Duisburg", (), True), ("Khorgos", "Baku", (), False),
                                                       ("Chengdu", "Istanbul", ("Baku",), True), ("Lianyungang", "Budapest", (), True)])
def test_one_call_finds_the_paths_of_best_path_per_corridor(router, o, d, via, rules, objective):
    """Every corridor's path (arcs, end states, criteria, transfers) equals best_path's with that corridor's penalty, with
    and without the query's lower bounds at hand (A* or Dijkstra), with the corridor rules or without, via a place."""
    g, idx = router.graph, router.graph.node_index
    q = Query(idx[router.resolve(o)], idx[router.resolve(d)], 7.5, tuple(idx[router.resolve(v)] for v in via))
    ok = router.allowed(Avoid())
    regions = router.regions if rules else None
    rows = list(range(len(router.corridors)))
    g.bounds_cache.clear()
    assert lower_bounds(g, q.dest, ok, compute=False) is None
    for with_bounds in (False, True):
        if with_bounds:
            pareto_front(g, q, ok, regions)  # keeps the query's bounds on the graph, as the planner's search does first
        got = batch.corridor_paths(g, q, ok, objective, router._penalties, rows, regions)
        want = [best_path(g, q, ok, objective, router._penalties.matrix[r], regions) for r in rows]
        assert got == want
        assert any(p is not None for p in got)
    assert batch.corridor_paths(g, q, ok, objective, router._penalties, [], regions) == []
    some = rows[::2]
    assert batch.corridor_paths(g, q, ok, objective, router._penalties, some, regions) == [want[r] for r in some]


def test_scaled_bounds_as_best_path_scales_them(router):
    """A penalty below 1 shrinks the lower bound as best_path does (multiplied by the least multiplier)."""
    g, idx = router.graph, router.graph.node_index
    q = Query(idx[router.resolve("Xi'an")], idx[router.resolve("Duisburg")], 0.0)
    ok = router.allowed(Avoid())
    pareto_front(g, q, ok, router.regions)
    rows = [router._penalties.matrix[0] * 0.5, router._penalties.matrix[-1]]
    pens = batch.Penalties(rows, len(g.head))
    assert list(pens.scales) == [0.5, 1.0]
    for objective in (0, 1):
        got = batch.corridor_paths(g, q, ok, objective, pens, [0, 1], router.regions)
        assert got == [best_path(g, q, ok, objective, r, router.regions) for r in rows]


def test_the_compiled_call_is_stamped_with_the_search_file_it_calls():
    """Its cache's stamp is the digest of batch.py and kernels.py: editing either (not only batch.py, numba's own rule)
    makes the saved code stale."""
    locator = batch.corridor_searches.dispatcher._cache._impl.locator  # numba's dispatcher behind the lazy kernel
    assert batch.SOURCES == ("batch.py", "kernels.py")
    assert locator.get_source_stamp() == digest(ROUTING, batch.SOURCES)


def test_editing_the_called_file_makes_the_saved_code_stale(tmp_path):
    """Through numba's cache files, on copies: a function compiled and saved with the stamp of (batch.py, kernels.py) is
    found fresh by a new cache, stale once kernels.py is edited, fresh again after it recompiles."""
    import importlib.util

    for name in batch.SOURCES:
        shutil.copy(ROUTING / name, tmp_path / name)
    (tmp_path / "probe.py").write_text("from numba import njit\n\n\n@njit(cache=True)\ndef f(x):\n    return x + 1\n")

    def probe():
        spec = importlib.util.spec_from_file_location("probe", tmp_path / "probe.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cache_on_sources(sources_cache(batch.SOURCES), module.f)
        return module.f

    cache = sources_cache(batch.SOURCES)
    f = probe()
    assert f(1) == 2
    assert cache(f.py_func)._cache_file._load_index()
    kernels = tmp_path / "kernels.py"
    kernels.write_bytes(kernels.read_bytes() + b"\n# an edit of the search file\n")
    assert not cache(f.py_func)._cache_file._load_index()  # stale: numba recompiles
    g = probe()
    assert g(1) == 2
    assert cache(g.py_func)._cache_file._load_index()


def test_a_graph_with_a_skeleton_uses_best_path(router, monkeypatch):
    """On a graph searched through a skeleton (StateGraph.skeleton, big networks) each corridor goes through best_path,
    which maps the skeleton's arcs back."""
    g, idx = router.graph, router.graph.node_index
    q = Query(idx[router.resolve("Xi'an")], idx[router.resolve("Duisburg")], 0.0)
    ok = router.allowed(Avoid())
    calls = []
    monkeypatch.setattr(batch, "best_path", lambda *a: calls.append(a) or f"path {len(calls)}")
    monkeypatch.setattr(g, "skeleton", object(), raising=False)  # only whether there is one matters here
    got = batch.corridor_paths(g, q, ok, 0, router._penalties, [0, 1], router.regions)
    assert got == ["path 1", "path 2"]
    for r, a in enumerate(calls):  # best_path(g, q, allowed, objective, penalty row r, rules)
        assert a[0] is g and a[3] == 0 and np.array_equal(a[4], router._penalties.matrix[r])
