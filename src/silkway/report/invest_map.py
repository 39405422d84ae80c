"""The map of chosen upgrades: the network in grey over the country outlines, each project of the build order (and of
the selected portfolio) drawn in its own colour where it acts — the links it changes or opens as thick lines, the
facilities it enlarges as circles — and numbered by build order.

:func:`project_geometry` turns the projects' changes into lon/lat lines and points (stored with an invest result, so a
stored run draws without its dataset's projects); :func:`upgrades_map` draws them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from silkway.invest.model import Catalogue, ChangeTarget
from silkway.invest.patch import apply_portfolio
from silkway.invest.result import InvestResult, money
from silkway.network.model import Network
from silkway.report.basemap import country_outlines
from silkway.report.plots import png

COLOURS = ["#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#1971c2", "#e67700", "#0c8599", "#5c940d", "#862e9c", "#495057"]


def project_geometry(net: Network, catalogue: Catalogue) -> dict[str, dict[str, list]]:
    """project id → {"lines": [[[lon, lat], …], …], "points": [[lon, lat], …]}: where each project acts on ``net`` (a
    project that opens a planned link is applied first, so its new link and nodes have coordinates)."""
    out: dict[str, dict[str, list]] = {}
    for p in catalogue.projects:
        with_it = apply_portfolio(net, catalogue, frozenset({p.project_id}))
        links, nodes = with_it.link_by_id, with_it.node_by_id
        lines, points = [], []
        for c in p.changes:
            link_id = c.target_id if c.target_kind is ChangeTarget.LINK else None
            if c.target_kind is ChangeTarget.ACCEPTANCE:
                link_id = next((a.link_id for a in with_it.acceptance if a.acceptance_id == c.target_id), None)
            if link_id is not None and link_id in links:
                lines.append([[round(x, 4), round(y, 4)] for x, y in with_it.line_of(links[link_id])])
            elif c.target_kind is ChangeTarget.FACILITY and c.target_id in with_it.facility_by_id:
                n = nodes[with_it.facility_by_id[c.target_id].node_id]
                points.append([n.lon, n.lat])
        out[p.project_id] = {"lines": lines, "points": [list(x) for x in dict.fromkeys(map(tuple, points))]}
    return out


def numbered(r: InvestResult) -> list[tuple[str, str]]:
    """(label, project id) in build order, then the selected portfolio's projects the build order does not contain."""
    items = [(str(i), s.project_id) for i, s in enumerate(r.stages, 1)]
    staged = {pid for _, pid in items}
    items += [("S", pid) for pid in r.best.projects if pid not in staged]
    return items


def upgrades_map(net: Network, r: InvestResult, geometry: dict[str, dict[str, list]], title: str | None = None) -> bytes:
    """PNG: the network (grey) and the chosen projects, numbered by build order ("S": selected by KN, not in the
    build order), over the region they and the network span."""
    fig = Figure(figsize=(11, 5.6))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    segs = [np.asarray(net.line_of(lk)) for lk in net.links if not (lk.mode == "sea" and not lk.geometry)]
    ax.add_collection(LineCollection(segs, colors="#868e96", linewidths=0.8, alpha=0.6, zorder=1))
    ax.scatter([n.lon for n in net.nodes], [n.lat for n in net.nodes], s=4, color="#495057", zorder=2)
    handles, xy = [], []
    for k, (label, pid) in enumerate(numbered(r)):
        g = geometry.get(pid, {"lines": [], "points": []})
        colour = COLOURS[k % len(COLOURS)]
        pts = [np.asarray(line) for line in g["lines"]]
        for line in pts:
            ax.plot(line[:, 0], line[:, 1], color=colour, lw=5, alpha=0.85, solid_capstyle="round", zorder=3)
        if g["points"]:
            p = np.asarray(g["points"])
            ax.scatter(p[:, 0], p[:, 1], s=180, facecolor=colour, edgecolor="white", lw=1.5, alpha=0.9, zorder=4)
            pts.append(p)
        if pts:
            allp = np.concatenate(pts)
            xy.append(allp)
            cx, cy = allp.mean(axis=0)
            ax.annotate(label, (cx, cy), xytext=(7, 7), textcoords="offset points", fontsize=10, fontweight="bold", color="white",
                        zorder=6, bbox={"boxstyle": "circle,pad=0.25", "fc": colour, "ec": "white"})
        handles.append(Line2D([], [], color=colour, lw=5, label=f"{label}  {r.names.get(pid, pid)} ({money(r.capital_usd.get(pid, 0.0))})"))
    x0, x1, y0, y1 = _bounds(net, xy)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.add_collection(LineCollection(country_outlines(), colors="#adb5bd", linewidths=0.5, zorder=0), autolim=False)
    ax.set_aspect(1.3)
    ax.set_title(title or f"{r.scenario}: chosen upgrades, numbered by build order (objective {r.objective.value}, "
                          f"budget {money(r.budget_usd)})", fontsize=10)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.grid(alpha=0.2)
    if not handles:
        handles = [Line2D([], [], color="none", label="no project adds a significant benefit: build nothing")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="build order (S = selected, not staged)", title_fontsize=8)
    return png(fig)


def _bounds(net: Network, xy: list[Any]) -> tuple[float, float, float, float]:
    """The network's extent west of the Pacific ports (as the study maps), widened to every drawn project."""
    lons = [n.lon for n in net.nodes if n.node_id != "shanghai"]
    lats = [n.lat for n in net.nodes]
    for p in xy:
        lons += list(p[:, 0])
        lats += list(p[:, 1])
    return min(lons) - 2, max(lons) + 2, min(lats) - 3, max(lats) + 3
