"""Contraction of the raw track graph (pure): chains through plain degree-2 vertices become one link, with the exact
sum of distance and time; kept vertices: junctions, ends, stations, attribute changes; rings and balloon loops cut."""

from __future__ import annotations

import math

from silkway.importers.graph import Attrs, Piece, Vertex, VertexKind, border_crossings, contract, largest_component, polyline_km

STD = Attrs((1435,), 2, True)
WIDE = Attrs((1520,), 1, False)


def piece(a, b, pts, attrs=STD, hours=None):
    km = polyline_km(pts)
    return Piece(a, b, pts, km, km / 40 if hours is None else hours, attrs, [a, *range(1000 + a * 10, 1000 + a * 10 + len(pts) - 2), b])


def verts(coords, kinds=None):
    return {k: Vertex(k, lon, lat, (kinds or {}).get(k, VertexKind.PLAIN)) for k, (lon, lat) in coords.items()}


def test_a_chain_of_plain_vertices_becomes_one_link_with_exact_sums():
    v = verts({1: (0, 0), 2: (0.1, 0), 3: (0.2, 0.01), 4: (0.3, 0)}, {1: VertexKind.STATION, 4: VertexKind.STATION})
    pieces = [piece(1, 2, [(0, 0), (0.05, 0.001), (0.1, 0)]), piece(3, 2, [(0.2, 0.01), (0.1, 0)]), piece(3, 4, [(0.2, 0.01), (0.3, 0)])]
    out = contract(v, pieces)
    assert set(out.vertices) == {1, 4} and len(out.chains) == 1
    c = out.chains[0]
    assert (c.a, c.b, c.pieces) == (1, 4, 3)
    assert c.km == sum(p.km for p in pieces) and c.time_h == sum(p.time_h for p in pieces)  # the same additions, in order
    assert c.points == [(0, 0), (0.05, 0.001), (0.1, 0), (0.2, 0.01), (0.3, 0)]  # the second piece walked backwards


def test_a_junction_and_an_attribute_change_are_kept():
    v = verts({1: (0, 0), 2: (1, 0), 3: (2, 0), 4: (1, 1), 5: (3, 0)})
    pieces = [piece(1, 2, [(0, 0), (1, 0)]), piece(2, 3, [(1, 0), (2, 0)]), piece(2, 4, [(1, 0), (1, 1)]),
              piece(3, 5, [(2, 0), (3, 0)], WIDE)]
    out = contract(v, pieces)
    assert set(out.vertices) == {1, 2, 3, 4, 5}  # 2: three tracks; 3: the gauge changes
    assert len(out.chains) == 4


def test_a_closed_ring_and_a_balloon_loop_get_two_ends_each():
    v = verts({1: (0, 0), 2: (1, 0), 3: (1, 1), 9: (5, 5)})
    ring = [piece(1, 2, [(0, 0), (1, 0)]), piece(2, 3, [(1, 0), (1, 1)]), piece(3, 1, [(1, 1), (0, 0)])]
    out = contract(v, ring)
    assert all(c.a != c.b for c in out.chains)
    assert math.isclose(sum(c.km for c in out.chains), sum(p.km for p in ring), rel_tol=1e-12)
    loop = Piece(9, 9, [(5, 5), (5.1, 5), (5.1, 5.1), (5, 5)], polyline_km([(5, 5), (5.1, 5), (5.1, 5.1), (5, 5)]), 1.0, STD, [9, 91, 92, 9])
    out = contract(verts({9: (5, 5)}, {9: VertexKind.STATION}), [loop])
    assert len(out.chains) == 2 and all(c.a != c.b for c in out.chains)
    assert math.isclose(sum(c.km for c in out.chains), loop.km, rel_tol=1e-12) and math.isclose(sum(c.time_h for c in out.chains), 1.0)


def test_a_border_point_becomes_a_crossing_between_its_neighbours():
    v = verts({1: (0, 0), 5: (0.2, 0), 3: (0.4, 0)}, {1: VertexKind.STATION, 5: VertexKind.BORDER, 3: VertexKind.STATION})
    left, right = piece(1, 5, [(0, 0), (0.1, 0), (0.19, 0), (0.2, 0)]), piece(5, 3, [(0.2, 0), (0.21, 0), (0.4, 0)], WIDE)
    pieces, notes = border_crossings(v, [left, right])
    assert notes == []
    crossing = [p for p in pieces if "crossing" in p.flags]
    assert len(crossing) == 1 and crossing[0].attrs.gauge_mm == (1435, 1520)
    assert crossing[0].points == [(0.19, 0), (0.2, 0), (0.21, 0)]
    out = contract(v, pieces)
    assert math.isclose(sum(c.km for c in out.chains), left.km + right.km, rel_tol=1e-12)
    sides = [k for k, x in out.vertices.items() if x.kind is VertexKind.BORDER_SIDE]
    assert len(sides) == 2 and 5 not in out.vertices


def test_only_the_largest_connected_part_is_kept_and_the_rest_reported():
    v = verts({1: (0, 0), 2: (1, 0), 3: (2, 0), 7: (9, 9), 8: (9.1, 9)})
    pieces = [piece(1, 2, [(0, 0), (1, 0)]), piece(2, 3, [(1, 0), (2, 0)], WIDE), piece(7, 8, [(9, 9), (9.1, 9)])]
    out = largest_component(contract(v, pieces))
    assert set(out.vertices) == {1, 2, 3} and len(out.chains) == 2
    assert "1 part(s) not connected" in out.dropped[0]
