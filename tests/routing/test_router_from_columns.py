"""The router builds from the compiled columns (issue 13): a network whose big tables come from the dataset cache as
Arrow columns (``LazyRecords``) gives a router equal in every build product to the one built from records, without
building a record per node or link; names resolve through the column index as through the dict."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkway.errors import RoutingError
from silkway.network import read_dataset
from silkway.network.cache import LazyRecords, to_arrow
from silkway.network.model import Network
from silkway.network.places import PlaceIndex, name_index, normalize, normalize_column
from silkway.network.schema import TABLES
from silkway.routing import Router


@pytest.fixture(scope="module")
def net() -> Network:
    return read_dataset()


def _lazy(net: Network) -> Network:
    nodes, links = (LazyRecords(to_arrow(TABLES[t], net.table(t)), t) for t in ("nodes", "links"))
    return replace(net, nodes=nodes, links=links)


def test_router_from_columns_equals_router_from_records(net: Network) -> None:
    lazy = _lazy(net)
    a, b = Router(net), Router(lazy)
    assert lazy.nodes._items is None and lazy.links._items is None  # type: ignore[attr-defined]  # no record built
    assert isinstance(b.names, PlaceIndex) and not isinstance(a.names, PlaceIndex)
    assert dict(b.names) == a.names and list(b.names) == list(a.names)  # same spellings, owners and order
    assert b.countries == a.countries and b.country_names == a.country_names
    assert list(b.network_km.items()) == list(a.network_km.items())  # the same floats, in the same order
    assert b.defining == a.defining and b.crossings == a.crossings and b.corridors == a.corridors
    assert np.array_equal(b._penalties.matrix, a._penalties.matrix)
    for x, y in zip(a.regions.__dict__.values(), b.regions.__dict__.values(), strict=True):
        assert np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y


def test_penalties_and_corridor_lengths_match_a_loop_over_the_records(net: Network) -> None:
    """The vectorised build products against the per-link loops they replace."""
    from silkway.routing.corridors import GENERIC_CORRIDORS
    from silkway.routing.planner import FOREIGN_PENALTY

    r = Router(net)
    g = r.graph
    km: dict[str, float] = {}
    for lk in net.links:
        for tag in lk.corridor:
            km[tag] = km.get(tag, 0.0) + lk.distance_km
    assert list(r.network_km.items()) == list(km.items())
    for row, corridor in enumerate(r.corridors):
        want = []
        for link in g.link.tolist():
            tags = set(net.links[link].corridor) - GENERIC_CORRIDORS if link >= 0 else set()
            want.append(FOREIGN_PENALTY if tags and corridor not in tags else 1.0)
        assert r._penalties.matrix[row].tolist() == want
    by_id = net.node_by_id
    border = {lk.link_id for lk in net.links if by_id[lk.from_node].country != by_id[lk.to_node].country}
    water = {lk.link_id for lk in net.links if lk.mode in ("ferry", "feeder", "sea")}
    assert r.defining == border | water and r.crossings == border & water
    assert r.countries == {n.country for n in net.nodes} | {c for lk in net.links for c in lk.countries}


@pytest.mark.parametrize("name", ["Xi'an", "xian", "Constanța", "constanta", "MAŁASZEWICZE", "Baku / Alat", "Duisburg"])
def test_place_index_resolves_as_the_dict(net: Network, name: str) -> None:
    lazy = _lazy(net)
    idx = name_index(lazy)
    assert isinstance(idx, PlaceIndex)
    key = normalize(name)
    assert (key in idx) == (key in name_index(net))
    assert Router(lazy).resolve(name) == Router(net).resolve(name)


def test_unknown_place_suggests_the_same_names(net: Network) -> None:
    messages = []
    for n in (net, _lazy(net)):
        with pytest.raises(RoutingError) as exc:
            Router(n).resolve("Dusiburg")
        messages.append(str(exc.value))
    assert messages[0] == messages[1] and "Did you mean: Duisburg" in messages[0]


def test_normalize_column_equals_normalize() -> None:
    import pyarrow as pa

    words = ["Constanța", "Xi'an", "Łódź", "Baku / Alat", "  A-b_C 9 ", "", "Straße", "İstanbul", "Ǆ", "ﬁeld", "Москва",
             "n0", "Node 17"]
    assert normalize_column(pa.array(words)).to_pylist() == [normalize(w) for w in words]


def test_lazy_records_build_only_the_records_read(net: Network) -> None:
    lazy = _lazy(net)
    links, nodes = lazy.links, lazy.nodes
    assert links[3] == net.links[3] and links[np.int64(5)] == net.links[5] and links[-1] == net.links[-1]
    assert lazy.node_by_id[net.nodes[7].node_id] == net.nodes[7] and net.links[9].link_id in lazy.link_by_id
    assert links._items is None and nodes._items is None  # type: ignore[attr-defined]
    with pytest.raises(IndexError):
        links[len(net.links)]
    assert links[1:4] == net.links[1:4]  # a slice builds them all, as the tuple would
    assert tuple(lazy.node_by_id) == tuple(net.node_by_id)
