"""Figures of a run (matplotlib ``Figure`` objects, Agg canvas; no pyplot state, no file I/O)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from silkway.simulation.result import SimulationResult


def queue_figure(result: SimulationResult, top: int = 6) -> Figure:
    """Queue length over time at the ``top`` stations with the most added delay (facilities, quays and links alike),
    one small panel each with its own y scale, titled with the station and its added delay."""
    q = result.facilities
    worst = result.bottlenecks(top)
    names = [s for s in worst.station_id if len(q) and s in set(q.station_id.cat.categories)]
    rows = max(1, math.ceil(len(names) / 2))
    fig = Figure(figsize=(11, 1.9 * rows + 0.8), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 2 if len(names) > 1 else 1, sharex=True, squeeze=False)
    delay = dict(zip(worst.station_id, worst.added_delay_train_h, strict=True))
    for ax, name in zip(axes.flat, names, strict=False):
        g = q[q.station_id == name]
        ax.step(g.time_day, g.queue_trains, where="post", lw=1, color="#c92a2a")
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(f"{name} — {delay[name]:,.0f} train-h added delay", fontsize=8.5, loc="left")
        ax.set_ylabel("trains", fontsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.25)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("day (negative = warm-up)", fontsize=8)
    fig.suptitle(f"Queue length over time at the {len(names)} stations with the most added delay", fontsize=11)
    fig.tight_layout()
    return fig


def transit_figure(result: SimulationResult) -> Figure:
    """Distribution of door-to-door transit days per corridor (containers delivered in the reported period)."""
    fig = Figure(figsize=(10, 5.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    sh = result.shipments
    done = sh[(sh.created_day >= 0) & sh.delivered_day.notna()]
    corridors = [c for c in sorted(done.corridor.unique())]
    if corridors:
        hi = float(np.nanpercentile(done.transit_days, 99.5)) if len(done) else 1.0
        bins = np.linspace(0, max(hi, 1.0), 60)
        for c in corridors:
            ax.hist(done.loc[done.corridor == c, "transit_days"], bins=list(bins), histtype="step", lw=1.4, label=c, density=True)
        ax.legend()
    ax.set_xlabel("transit time, days (shipment created → delivered)")
    ax.set_ylabel("density")
    ax.set_title("Transit-time distribution per corridor")
    fig.tight_layout()
    return fig
