"""The report's basemap decodes the shipped Natural Earth topology into real coastlines."""

import numpy as np

from silkway.report.basemap import country_outlines, decode_arcs


def test_decode_arcs_undoes_delta_quantisation():
    topo = {"transform": {"scale": [0.5, 2.0], "translate": [10.0, -5.0]}, "arcs": [[[0, 0], [2, 1], [-1, 3]]]}
    (arc,) = decode_arcs(topo)
    assert np.allclose(arc, [[10.0, -5.0], [11.0, -3.0], [10.5, 3.0]])


def test_outlines_cover_the_corridor_region():
    arcs = country_outlines()
    pts = np.concatenate(arcs)
    assert len(arcs) > 1000
    assert pts[:, 0].min() >= -180.001 and pts[:, 0].max() <= 180.001
    # the Caspian shore passes near Aktau (43.65 N, 51.16 E): some outline point within 0.3 degrees
    near_aktau = np.hypot(pts[:, 0] - 51.16, pts[:, 1] - 43.65).min()
    assert near_aktau < 0.3
