"""compile_network: the CSR (forward-star) arrays describe exactly the links of the network."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from silkway.network import CompiledNetwork, Network, compile_network, read_dataset
from silkway.network.schema import MODES

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


@pytest.fixture(scope="module", params=["tiny", "eurasia"])
def net(request: pytest.FixtureRequest) -> Network:
    return read_dataset(TINY if request.param == "tiny" else None)


def test_counts_and_shapes(net: Network) -> None:
    g = compile_network(net)
    n, m = len(net.nodes), len(net.links)
    assert g.n_nodes == n and g.n_arcs == 2 * m
    assert g.indptr.shape == (n + 1,) and g.indptr[0] == 0 and g.indptr[-1] == 2 * m
    assert np.all(np.diff(g.indptr) >= 0)
    for arr in (g.arc_tail, g.arc_head, g.arc_link, g.order):
        assert arr.shape == (2 * m,)
    for arr in (g.distance_km, g.time_h_median, g.time_p90_factor, g.mode, g.gauge_bits, g.capacity_trains_day, g.departures_per_week):
        assert arr.shape == (m,)
    assert g.lat.shape == g.lon.shape == g.country.shape == (n,)


def test_csr_covers_every_arc_once(net: Network) -> None:
    g = compile_network(net)
    assert sorted(g.order.tolist()) == list(range(g.n_arcs))
    for u in range(g.n_nodes):
        arcs = g.out_arcs(u)
        assert np.all(g.arc_tail[arcs] == u)
    degree = Counter(end for lk in net.links for end in (lk.from_node, lk.to_node))
    assert [len(g.out_arcs(u)) for u in range(g.n_nodes)] == [degree[nid] for nid in g.node_ids]


def test_arcs_match_links(net: Network) -> None:
    g = compile_network(net)
    idx = g.node_index
    for i, lk in enumerate(net.links):
        fwd, back = 2 * i, 2 * i + 1
        assert (g.arc_tail[fwd], g.arc_head[fwd]) == (idx[lk.from_node], idx[lk.to_node])
        assert (g.arc_tail[back], g.arc_head[back]) == (idx[lk.to_node], idx[lk.from_node])
        assert g.arc_link[fwd] == g.arc_link[back] == i
        assert g.link_ids[i] == lk.link_id
        assert g.distance_km[i] == lk.distance_km
        assert g.time_h_median[i] == pytest.approx(lk.distance_km / lk.speed_km_day * 24)
        assert MODES[g.mode[i]] == lk.mode
        assert g.gauge_bits[i] == (1 if 1435 in lk.gauge_mm else 0) + (2 if 1520 in lk.gauge_mm else 0)
        cap = g.capacity_trains_day[i]
        assert (np.isnan(cap) and lk.capacity_trains_day is None) or cap == lk.capacity_trains_day


def test_nodes_match(net: Network) -> None:
    g = compile_network(net)
    assert g.node_ids == tuple(n.node_id for n in net.nodes)
    for i, node in enumerate(net.nodes):
        assert g.node_index[node.node_id] == i
        assert (g.lat[i], g.lon[i]) == (node.lat, node.lon)
        assert g.countries[g.country[i]] == node.country


def test_tiny_by_hand() -> None:
    """The tiny network, worked out by hand: l1 96 km at 960 km/day = 2.4 h; gate_cn has 2 arcs out."""
    g = compile_network(read_dataset(TINY))
    assert g.time_h_median.tolist() == pytest.approx([2.4, 1.0, 6.0, 10.0])
    assert g.gauge_bits.tolist() == [1, 3, 2, 0]
    out = g.out_arcs(g.node_index["gate_cn"])
    assert sorted(g.node_ids[h] for h in g.arc_head[out]) == ["gate_kz", "west"]


def test_network_pickles_after_its_lookups_were_used() -> None:
    """Worker processes (local pool, Dask) receive networks by pickle, caches and all."""
    import pickle

    from silkway.network import read_dataset

    net = read_dataset()
    assert net.node_by_id and net.facilities_at and net.param  # fill the cached lookups
    back = pickle.loads(pickle.dumps(net))
    assert back == net
    assert back.node_by_id["dostyk"] == net.node_by_id["dostyk"]


def _assert_same_arrays(a: CompiledNetwork, b: CompiledNetwork) -> None:
    """Every field equal: arrays in dtype and value (NaN equal to NaN), the rest by ==."""
    for name in CompiledNetwork.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
        else:
            assert x == y, name


def test_compiled_from_the_cache_columns_equals_compiled_from_records(net: Network) -> None:
    """A network whose big tables come from the cache as Arrow columns (``LazyRecords``) compiles, column-wise and
    without building its records, into exactly the arrays compiled from the records."""
    from dataclasses import replace

    from silkway.network.cache import LazyRecords, to_arrow
    from silkway.network.schema import TABLES

    nodes, links = (LazyRecords(to_arrow(TABLES[t], net.table(t)), t) for t in ("nodes", "links"))
    lazy = replace(net, nodes=nodes, links=links)
    a, b = compile_network(net), compile_network(lazy)
    assert nodes._items is None and links._items is None  # no records were built
    _assert_same_arrays(a, b)


def test_link_columns_match_the_records(net: Network) -> None:
    g = compile_network(net)
    idx = g.node_index
    for i, lk in enumerate(net.links):
        assert (g.link_from[i], g.link_to[i]) == (idx[lk.from_node], idx[lk.to_node])
        assert g.first_gauge[i] == (lk.gauge_mm[0] if lk.gauge_mm else 0)
        assert g.energies[g.energy[i]] == lk.energy and g.link_countries[g.link_country[i]] == lk.country
        assert g.via_countries.get(i, ()) == lk.via_countries
        first = g.first_departure_h[i]
        assert (np.isnan(first) and lk.first_departure_h is None) or first == lk.first_departure_h


def test_small_and_bulk_code_paths_compile_the_same(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``BULK_ROWS`` values the compile uses dicts (no pandas import), from it on pandas' hash tables: both give
    the same arrays, value for value."""
    from silkway.network import graph as graph_mod

    small = compile_network(net)
    monkeypatch.setattr(graph_mod, "BULK_ROWS", 0)
    bulk = compile_network(net)
    _assert_same_arrays(small, bulk)


def test_routing_a_small_network_does_not_import_pandas(tmp_path: Path) -> None:
    """A later command on a small dataset (its cache filled by the first) routes without importing pandas."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom silkway.services.routing import router_for\n"  # as `silkway route` loads it: through the cache
            "router_for().route('Xian', 'Duisburg', samples=50)\nprint('pandas' in sys.modules)")
    env = {**os.environ, "SILKWAY_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)  # fills the cache
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout.split()
    assert out == ["False"]
