"""The links' geometry column: parsing, one test per validation rule (exact file, line, field), round trip, drawing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from silkway.errors import DataError
from silkway.network import read_dataset, write_dataset
from silkway.network.dataset import format_geometry
from silkway.network.parse import parse_geometry
from silkway.network.validate import polyline_km

from ._edit import add_column, set_cell

L = "links.csv"
# tiny: l1 runs from 'west' (80 E, 44 N) to 'gate_cn' (81 E, 44 N), 80 km apart
GOOD = "80 44;80.5 44.05;81 44"


def with_geometry(d: Path, link: str, text: str) -> int:
    add_column(d, L, "geometry")
    return set_cell(d, L, link, "geometry", text)


def problems(d: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(DataError) as exc:
        read_dataset(d)
    return [(p.file, p.line, p.field, p.message) for p in exc.value.problems]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("80 44;81", "point 2 '81' is not 'lon lat'"),  # parse: a point without its latitude
        ("80 44;east 44", "point 2 'east 44' is not 'lon lat'"),  # parse: not a number
        ("80 44;81 44;81 95", "point 3 (81 95) is not 'lon lat' within lon -180..180, lat -90..90"),  # bounds
        ("80 44", "at least 2 points"),  # one point
        ("79 44;81 44", "the first point (79 44) is 80 km from from_node 'west'"),  # start far from from_node
        ("80 44;82 44", "the last point (82 44) is 80 km from to_node 'gate_cn'"),  # end far from to_node
        ("80.3 44;80.7 44", "the line is 32 km long, shorter than 0.9 x the great circle between its nodes (80 km)"),  # too short
    ],
    ids=["no-latitude", "not-a-number", "out-of-bounds", "one-point", "first-end-off", "last-end-off", "too-short"],
)
def test_each_geometry_rule_is_located(dataset_copy: Callable[..., Path], text: str, says: str) -> None:
    d = dataset_copy()
    line = with_geometry(d, "l1", text)
    found = problems(d)
    assert [(f, ln, fld) for f, ln, fld, _ in found] == [(L, line, "geometry")]
    assert says in found[0][3]


def test_a_reversed_line_reports_both_ends(dataset_copy: Callable[..., Path]) -> None:
    d = dataset_copy()
    line = with_geometry(d, "l1", "81 44;80 44")
    found = problems(d)
    assert [(f, ln, fld) for f, ln, fld, _ in found] == [(L, line, "geometry")] * 2
    assert "first point" in found[0][3] and "last point" in found[1][3]


def test_a_valid_geometry_survives_write_and_read(dataset_copy: Callable[..., Path], tmp_path: Path) -> None:
    d = dataset_copy()
    with_geometry(d, "l1", GOOD)
    net = read_dataset(d)
    assert net.link_by_id["l1"].geometry == ((80.0, 44.0), (80.5, 44.05), (81.0, 44.0))
    assert net.link_by_id["l2"].geometry == ()
    again = read_dataset(write_dataset(net, tmp_path / "out"))
    assert again.links == net.links
    assert again.link_by_id["l1"].geometry == net.link_by_id["l1"].geometry


def test_format_rounds_to_two_decimals_and_parses_back() -> None:
    text = format_geometry(((121.4999, 31.2345), (-5.604, 36.0), (0.001, -0.004)))
    assert text == "121.5 31.23;-5.6 36;0 0"
    assert parse_geometry(text) == (((121.5, 31.23), (-5.6, 36.0), (0.0, 0.0)), None)


def test_line_of_uses_the_geometry_and_reverses_it_for_a_leg_against_the_link(dataset_copy: Callable[..., Path]) -> None:
    d = dataset_copy()
    with_geometry(d, "l1", GOOD)
    net = read_dataset(d)
    l1, l2 = net.link_by_id["l1"], net.link_by_id["l2"]
    assert net.line_of(l1) == l1.geometry
    assert net.line_of(l1, "gate_cn") == l1.geometry[::-1]
    assert net.line_of(l2) == ((81.0, 44.0), (81.1, 44.0))  # no geometry: the straight line between the nodes


def test_polyline_km_sums_great_circles() -> None:
    assert polyline_km([(0, 0), (1, 0), (1, 1)]) == pytest.approx(2 * 111.195, rel=1e-3)
    assert polyline_km([(0, 0)]) == 0


def test_maps_draw_the_geometry_in_the_direction_travelled(dataset_copy: Callable[..., Path]) -> None:
    """The network GeoJSON and a route's GeoJSON use a link's geometry (reversed for a leg against the link)."""
    from silkway.services import network as net_svc
    from silkway.services import routing as route_svc

    d = dataset_copy()
    with_geometry(d, "l1", GOOD)
    net = read_dataset(d)
    lines = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in net_svc.to_geojson(net)["features"] if f["properties"]["kind"] == "link"}
    assert lines["l1"] == [[80.0, 44.0], [80.5, 44.05], [81.0, 44.0]]
    assert lines["l2"] == [[81.0, 44.0], [81.1, 44.0]]
    r = route_svc.router_for(net=net)
    for origin, destination, expected in (("west", "isle", lines["l1"]), ("isle", "west", lines["l1"][::-1])):
        gj = route_svc.to_geojson(r.route(origin, destination), net)
        legs = {f["properties"]["link_id"]: f["geometry"]["coordinates"] for f in gj["features"] if f["properties"]["kind"] == "leg"}
        assert legs["l1"] == expected
