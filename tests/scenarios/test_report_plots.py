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
