"""Report figures: one scale for every panel, labels that do not overlap, legend values, readable axes."""

from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from silkway.report import plots


def test_one_scale_draws_small_flows_thin_and_small_delays_small():
    scale = plots.MapScale(flow_teu=4968.0, delay_h=1000.0)
    assert plots._width(21.0, scale) < 1.2 < plots._width(4968.0, scale) == plots.MAX_WIDTH
    assert plots._area(10.0, scale) < 40 < plots._area(1000.0, scale)


def test_labels_never_overlap():
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    points = [(5.0, 5.0, f"Place {i}\n{i * 100} train-h") for i in range(8)] + [(5.2, 5.1, "Horgos"), (5.1, 4.9, "Alashankou")]
    texts = plots.place_labels(ax, points)
    assert 4 <= len(texts) <= len(points)  # crowded: the ones with no free place are left out, never drawn on top
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_legend_steps_are_round_and_below_the_top():
    assert plots.nice_steps(4968.0) == [2000.0, 400.0, 40.0]
    assert plots.nice_steps(1_380_000.0) == [1_000_000.0, 200_000.0, 20_000.0]
    assert plots.nice_steps(0.0) == []


def _coloured_pixels(png_bytes: bytes, hue: str) -> int:
    """Pixels of the map area (the left 78 % of the figure: legends and colour bars sit right of it) clearly red or
    blue (the base map is grey, nodes black, unchanged links light grey)."""
    import io

    import matplotlib.image

    img = (matplotlib.image.imread(io.BytesIO(png_bytes))[..., :3] * 255).astype(int)
    img = img[:, : int(img.shape[1] * 0.78)]
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    mask = (b - r > 60) & (b - g > 20) if hue == "blue" else (r - b > 60) & (r - g > 40)
    return int(mask.sum())


def test_a_scenario_that_changes_little_still_reads_on_the_shared_difference_scale():
    """The green channel next to double-trade: differences a thousandth of the largest one (shared scale) must still
    show, coloured on a diverging scale (blue less, red more), not vanish into the grey base map."""
    from silkway.network import read_dataset

    net = read_dataset()
    scale = plots.MapScale(flow_teu=900_000.0, delay_h=20_000.0)  # double-trade's differences set the shared scale
    dostyk = next(n for n in net.nodes if n.node_id == "dostyk")
    link = net.links[0].link_id
    small = plots.corridor_map(net, {link: -900.0}, [plots.Spot(dostyk.lon, dostyk.lat, "Dostyk", -150.0)],
                               "green-channel − baseline", scale, diff=True)
    none = plots.corridor_map(net, {}, [], "same − baseline", scale, diff=True)
    assert _coloured_pixels(small, "blue") > 300  # the −150 train-h circle and the −900 TEU link
    assert _coloured_pixels(small, "red") == 0 and _coloured_pixels(none, "blue") == _coloured_pixels(none, "red") == 0
    more = plots.corridor_map(net, {link: 900.0}, [plots.Spot(dostyk.lon, dostyk.lat, "Dostyk", 150.0)], "more", scale, diff=True)
    assert _coloured_pixels(more, "red") > 300 and _coloured_pixels(more, "blue") == 0


def test_the_difference_scale_is_diverging_around_zero_and_logarithmic():
    norm = plots.diff_norm(900_000.0)
    red, blue = plots.DIFF_CMAP(norm(1000.0)), plots.DIFF_CMAP(norm(-1000.0))
    assert red[0] > red[2] and blue[2] > blue[0]  # more: red, less: blue
    strengths = [plots.diff_strength(v, norm) for v in (90.0, 900.0, 9_000.0, 90_000.0, 900_000.0)]
    assert strengths == sorted(strengths) and strengths[-1] == 1.0
    assert all(abs(b - a - 0.25) < 0.02 for a, b in itertools.pairwise(strengths[1:]))  # one decade: a quarter of the scale
    assert abs(plots.diff_strength(-9_000.0, norm) - plots.diff_strength(9_000.0, norm)) < 1e-12  # symmetric
    assert plots.diff_strength(9_000.0, norm) >= 0.4  # a hundredth of the largest still reads
    assert plots.diff_ticks(norm) == [-900_000.0, -100_000.0, -1_000.0, 0.0, 1_000.0, 100_000.0, 900_000.0]
    assert [plots.signed(v) for v in (1234.4, -0.25, 0.0)] == ["+1,234", "−0.25", "0"]


def test_every_kpi_a_simulation_reports_has_a_name_and_a_unit():
    """The per-direction KPIs (held, refused, diverted, generated, delivered) read as words with units, not raw ids
    (`held_teu_westbound ()` was printed in the report's headline)."""
    from silkway.kpi_catalogue import describe

    for d in ("westbound", "eastbound"):
        for kpi in (f"held_teu_{d}", f"held_days_median_{d}", f"held_days_p90_{d}", f"refused_teu_{d}", f"diverted_teu_{d}",
                    f"generated_teu_{d}", f"delivered_teu_{d}"):
            info = describe(kpi)
            assert info.name != kpi and d in info.name and info.unit in ("TEU", "days"), kpi
