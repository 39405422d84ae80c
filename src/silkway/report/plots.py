"""Figures of the study report, drawn with matplotlib (Agg) and returned as PNG bytes.

The corridor map is drawn from node coordinates over Natural Earth country outlines shipped with the
package (no tiles, works offline): links as straight segments whose width grows with the mean flow,
facilities with long queues as red circles.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from silkway.network.model import Network
from silkway.report.basemap import country_outlines

MODE_COLOURS = {"rail": "#1f5fa8", "road": "#8c6d31", "ferry": "#17a3a3", "feeder": "#5fb8b8", "sea": "#1a365d"}
SCENARIO_COLOURS = ["#1f5fa8", "#d9541a", "#2f9e44", "#7048e8", "#c2255c", "#868e96"]


def png(fig: Figure) -> bytes:
    """PNG bytes of a figure (matplotlib's object API: no pyplot, no global backend state)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def corridor_map(net: Network, flow_teu: dict[str, float], queue_trains: dict[str, float], title: str,
                 lon_range: tuple[float, float] | None = None) -> bytes:
    """Links (width ∝ mean TEU carried), nodes, and bottlenecks (circle area ∝ mean max queue, trains)."""
    fig = Figure(figsize=(11, 5.2))
    ax = fig.subplots()
    top = max(flow_teu.values(), default=0.0) or 1.0
    for lk in net.links:
        if lk.mode == "sea" and not lk.geometry:
            continue  # a deep-sea link drawn straight would cross Eurasia: only lanes with their geometry are drawn
        flow = flow_teu.get(lk.link_id, 0.0)
        width = 0.6 + 7.0 * math.sqrt(flow / top)
        lons, lats = zip(*net.line_of(lk), strict=True)
        ax.plot(lons, lats, color=MODE_COLOURS.get(lk.mode, "#999"), lw=width,
                alpha=0.85 if flow > 0 else 0.35, solid_capstyle="round", zorder=1)
    ax.scatter([n.lon for n in net.nodes], [n.lat for n in net.nodes], s=6, color="#333", zorder=2)
    qmax = max(queue_trains.values(), default=0.0) or 1.0
    for node_id, q in queue_trains.items():
        n = net.node_by_id.get(node_id)
        if n is None or q <= 0:
            continue
        ax.scatter([n.lon], [n.lat], s=30 + 900 * q / qmax, facecolor="#e03131", alpha=0.45, edgecolor="#a51111", zorder=3)
    for node_id, _ in sorted(queue_trains.items(), key=lambda kv: -kv[1])[:6]:
        n = net.node_by_id.get(node_id)
        if n is not None and queue_trains[node_id] > 0:
            ax.annotate(f"{n.name}\n{queue_trains[node_id]:.0f} trains", (n.lon, n.lat), fontsize=7, xytext=(4, 4),
                        textcoords="offset points", zorder=4)
    lons, lats = [n.lon for n in net.nodes], [n.lat for n in net.nodes]
    ax.set_xlim(*(lon_range or (min(lons) - 3, max(lons) + 3)))
    ax.set_ylim(min(lats) - 3, max(lats) + 3)
    ax.add_collection(LineCollection(country_outlines(), colors="#adb5bd", linewidths=0.5, zorder=0), autolim=False)
    ax.set_aspect(1.3)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    handles = [Line2D([], [], color=c, lw=3, label="sea lane" if m == "sea" else m) for m, c in MODE_COLOURS.items()]
    handles.append(Line2D([], [], marker="o", ls="", color="#e03131", alpha=0.5, ms=10, label="max queue (trains)"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False)
    ax.grid(alpha=0.2)
    return png(fig)


def queue_over_time(queues: dict[str, pd.DataFrame], facilities: list[str]) -> bytes:
    """Mean queue (trains) by day at the given facilities, one panel per facility, one line per scenario.
    ``queues[scenario]`` has columns key (facility), x (day), y (trains), averaged over replications."""
    n = max(1, len(facilities))
    fig = Figure(figsize=(10, 1.9 * n + 0.6))
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)
    for ax, fac in zip(axes[:, 0], facilities, strict=False):
        for i, (name, df) in enumerate(queues.items()):
            d = df[df["key"] == fac]
            if len(d):
                ax.plot(d["x"], d["y"], lw=1.1, color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], label=name)
        ax.set_ylabel("trains", fontsize=8)
        ax.set_title(fac, fontsize=9, loc="left")
        ax.grid(alpha=0.25)
    axes[0, 0].legend(fontsize=8, ncols=min(4, len(queues)), loc="upper right")
    axes[-1, 0].set_xlabel("day of the simulated year")
    return png(fig)


def transit_distribution(transit: dict[str, pd.DataFrame], corridors: list[str]) -> bytes:
    """Cumulative transit-time distribution (share of TEU delivered within x days) per corridor, one line
    per scenario. ``transit[scenario]`` has columns key (corridor), x (transit days), y (TEU)."""
    n = max(1, len(corridors))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(4.2 * cols, 2.8 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, corridor in zip(axes.flat, corridors, strict=False):
        for i, (name, df) in enumerate(transit.items()):
            d = df[df["key"] == corridor].groupby("x")["y"].sum().sort_index()
            if not len(d):
                continue
            share = np.cumsum(d.to_numpy()) / d.sum()
            ax.step(d.index.to_numpy(), share, where="post", color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], label=name)
        ax.set_title(corridor, fontsize=9)
        ax.set_xlabel("transit days", fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.25)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes[0, 0].set_ylabel("share of TEU delivered within")
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return png(fig)
