"""Figures of a run (matplotlib ``Figure`` objects, Agg canvas; no pyplot state, no file I/O)."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from silkway.simulation.result import SimulationResult


def queue_figure(result: SimulationResult, top: int = 10) -> Figure:
    """Queue length over time at the facilities and quays with the most added delay."""
    fig = Figure(figsize=(11, 6), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    q = result.facilities
    names = [s for s in result.bottlenecks(top).station_id if s in set(q.station_id.cat.categories)] if len(q) else []
    for name in names:
        g = q[q.station_id == name]
        ax.step(g.time_day, g.queue_trains, where="post", label=name, lw=1)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("day (negative = warm-up)")
    ax.set_ylabel("trains waiting")
    ax.set_title("Queue length over time (facilities with the most added delay)")
    if names:
        ax.legend(fontsize=7, ncol=2)
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
            ax.hist(done.loc[done.corridor == c, "transit_days"], bins=bins, histtype="step", lw=1.4, label=c, density=True)
        ax.legend()
    ax.set_xlabel("transit time, days (shipment created → delivered)")
    ax.set_ylabel("density")
    ax.set_title("Transit-time distribution per corridor")
    fig.tight_layout()
    return fig
