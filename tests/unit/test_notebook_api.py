"""The Python API as a notebook sees it: dir(), lazy names, DataFrame views, GeoJSON, compact reprs."""

from __future__ import annotations

import json
from pathlib import Path

import silkway

ROOT = Path(__file__).resolve().parents[2]


def test_dir_lists_the_public_api_and_no_typing_names():
    names = dir(silkway)
    assert {"route", "route_many", "simulate", "study", "read_dataset", "Network", "__version__"} <= set(names)
    assert not {"Any", "TYPE_CHECKING", "annotations"} & set(names)
    assert callable(silkway.study) and callable(silkway.route)
    for name in silkway.__all__:  # every listed name resolves (lazily)
        assert getattr(silkway, name) is not None, name
    assert {"run_nowcast", "plan_investments"} <= set(names)


def test_network_frames_and_repr():
    net = silkway.read_dataset(None)
    nodes, links, facs = net.nodes_frame(), net.links_frame(), net.facilities_frame()
    assert len(nodes) == len(net.nodes) and nodes.loc["dostyk", "name"] == "Dostyk"
    assert len(links) == len(net.links) and links.index.name == "link_id" and "distance_km" in links
    assert len(facs) == len(net.facilities)
    text = repr(net)
    assert text.startswith("Network('eurasia'") and f"{len(net.nodes)} nodes" in text and len(text) < 200
    assert "<table>" in net._repr_html_()


def test_route_result_frames_geojson_and_repr():
    net = silkway.read_dataset(None)
    r = silkway.route(net, "Xian", "Duisburg")
    f = r.to_frame()
    assert list(f.index) == list(range(1, len(r.options) + 1)) and f.loc[1, "days_median"] == r.best.days_median
    legs = r.legs_frame()
    assert len(legs) == len(r.best.legs) and legs["hours"].sum() > 0
    g = r.to_geojson(net)
    assert g["type"] == "FeatureCollection"
    for feat in g["features"]:  # flat properties: no list or dict a GIS would turn into text
        assert all(not isinstance(v, (list, dict)) for v in feat["properties"].values())
    json.dumps(g)
    text = repr(r)
    assert text.startswith("RouteResult(xian → duisburg") and len(text) < 250
    assert "<table" in r._repr_html_()
