"""Figures of the study report, drawn with matplotlib (Agg) and returned as PNG bytes.

The corridor map is drawn from node coordinates over Natural Earth country outlines shipped with the
package (no tiles, works offline): links whose width grows with the mean flow and bottlenecks as circles whose area
grows with the added delay, on one scale shared by every panel; labels placed without overlaps; legends for both.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, SymLogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from silkway.network.model import Network
from silkway.report.basemap import country_outlines

MODE_COLOURS = {"rail": "#1f5fa8", "road": "#8c6d31", "ferry": "#17a3a3", "feeder": "#5fb8b8", "sea": "#1a365d"}
SCENARIO_COLOURS = ["#1f5fa8", "#d9541a", "#2f9e44", "#7048e8", "#c2255c", "#868e96"]
DIFF_DECADES = 4.0  # difference maps: colour and size on a log scale over the 4 decades below the largest difference


def png(fig: Figure) -> bytes:
    """PNG bytes of a figure (matplotlib's object API: no pyplot, no global backend state)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


@dataclass(frozen=True)
class MapScale:
    """One scale for every map panel of a report, so that 21 trains and 4,968 do not draw alike: line width ∝ √(TEU /
    ``flow_teu``), circle area ∝ train-hours / ``delay_h`` (the largest values over all scenarios)."""

    flow_teu: float
    delay_h: float


@dataclass(frozen=True)
class Spot:
    """A bottleneck drawn as a circle: where, what, how much added delay (train-hours)."""

    lon: float
    lat: float
    label: str
    delay_h: float


MAX_WIDTH, MIN_WIDTH, MAX_AREA = 7.0, 0.6, 900.0
MIN_SHOWN = 0.01  # circles below 1% of the largest delay on the scale are not drawn


def _width(flow: float, scale: MapScale) -> float:
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(max(flow, 0.0) / scale.flow_teu) if scale.flow_teu > 0 else MIN_WIDTH


def _area(delay: float, scale: MapScale) -> float:
    return 20 + MAX_AREA * abs(delay) / scale.delay_h if scale.delay_h > 0 else 20


def nice_steps(top: float, n: int = 3) -> list[float]:
    """Round legend values below ``top`` (e.g. 50,000 / 10,000 / 1,000)."""
    if top <= 0:
        return []
    exp = 10 ** math.floor(math.log10(top))
    first = max(m * exp for m in (1, 2, 5) if m * exp <= top)
    out = [first]
    while len(out) < n and out[-1] / 10 >= 1e-9:
        out.append(out[-1] / (5 if len(out) == 1 else 10))
    return out


def corridor_map(net: Network, flow_teu: dict[str, float], spots: list[Spot], title: str, scale: MapScale,
                 bounds: tuple[float, float, float, float] | None = None, diff: bool = False) -> bytes:
    """Links (width ∝ √ mean TEU carried, on the report-wide ``scale``), bottlenecks (circle area ∝ added delay), place
    labels placed so they do not overlap, and legends for widths and circles. ``diff``: flows and delays are differences
    to the baseline, drawn by :func:`_draw_differences` (a diverging colour scale around zero, log-scaled)."""
    fig = Figure(figsize=(11, 5.4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    if diff:
        top = _draw_differences(ax, net, flow_teu, spots, scale)
    else:
        for lk in net.links:
            if lk.mode == "sea" and not lk.geometry:
                continue  # a deep-sea link drawn straight would cross Eurasia: only lanes with their geometry are drawn
            flow = flow_teu.get(lk.link_id, 0.0)
            lons, lats = zip(*net.line_of(lk), strict=True)
            ax.plot(lons, lats, color=MODE_COLOURS.get(lk.mode, "#999"), lw=_width(abs(flow), scale), alpha=0.85 if flow else 0.35,
                    solid_capstyle="round", zorder=1)
        for sp in spots:
            if abs(sp.delay_h) >= MIN_SHOWN * scale.delay_h:  # smaller circles would be specks of noise
                ax.scatter([sp.lon], [sp.lat], s=_area(sp.delay_h, scale), facecolor="#e03131", alpha=0.4, edgecolor="#e03131", zorder=3)
        top = sorted((sp for sp in spots if abs(sp.delay_h) >= MIN_SHOWN * scale.delay_h), key=lambda sp: -abs(sp.delay_h))[:8]
    ax.scatter([n.lon for n in net.nodes], [n.lat for n in net.nodes], s=5, color="#333", zorder=2)
    x0, x1, y0, y1 = bounds or _bounds(net)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.add_collection(LineCollection(country_outlines(), colors="#adb5bd", linewidths=0.5, zorder=0), autolim=False)
    ax.set_aspect(1.3)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    place_labels(ax, [(sp.lon, sp.lat, f"{sp.label}\n{signed(sp.delay_h) if diff else f'{sp.delay_h:,.0f}'} train-h") for sp in top])
    if not diff:
        _legends(ax, scale)
    ax.grid(alpha=0.2)
    return png(fig)


# RdBu reversed (red = more than the baseline) without its palest middle, so the smallest difference drawn still shows
DIFF_CMAP = ListedColormap(np.vstack([colormaps["RdBu_r"](np.linspace(0.0, 0.36, 64)), colormaps["RdBu_r"](np.linspace(0.64, 1.0, 64))]),
                           name="silkway_diff")


def diff_norm(top: float) -> SymLogNorm:
    """The diverging scale of a difference map: symmetric around zero, logarithmic over :data:`DIFF_DECADES` decades
    below ``top`` (the largest difference over every panel), linear inside ±``top``·10⁻⁴."""
    top = top if top > 0 else 1.0
    return SymLogNorm(linthresh=top * 10 ** -DIFF_DECADES, linscale=0.05, vmin=-top, vmax=top, base=10)


def diff_strength(value: float, norm: SymLogNorm) -> float:
    """0 (no difference) … 1 (the largest): how far ``value`` sits from zero on the diverging scale."""
    return float(min(abs(float(norm(value)) - 0.5) * 2.0, 1.0))


def diff_ticks(norm: SymLogNorm) -> list[float]:
    """Colour-bar ticks: zero, the largest difference and every other power of ten below it, on both sides."""
    top = float(norm.vmax or 1.0)  # set by diff_norm
    k = math.floor(math.log10(top))
    powers = [10.0 ** e for e in range(k, math.ceil(math.log10(norm.linthresh)) - 1, -2)][:3]
    if not powers or top >= 5 * powers[0]:  # closer, the two labels would overlap on the bar
        powers.insert(0, top)
    return sorted([0.0, *powers, *(-p for p in powers)])


def signed(value: float) -> str:
    """A signed figure for people: +12,345 / −0.5 / 0."""
    if value == 0:
        return "0"
    text = f"{abs(value):,.0f}" if abs(value) >= 10 else f"{abs(value):.2g}"
    return ("+" if value > 0 else "−") + text


def _draw_differences(ax, net: Network, flow_teu: dict[str, float], spots: list[Spot], scale: MapScale) -> list[Spot]:
    """A difference map: each link's flow difference (TEU) and each place's added-delay difference (train-hours) as a
    colour on a diverging scale around zero (red more, blue less than the baseline) and a width or circle area growing
    with the same log scale, both scales shared by every difference panel (``scale``: the largest differences) and
    shown as colour bars. Links without a difference are thin grey lines. Returns the spots to label (largest first)."""
    fnorm, dnorm = diff_norm(scale.flow_teu), diff_norm(scale.delay_h)
    for lk in net.links:
        if lk.mode == "sea" and not lk.geometry:
            continue
        flow = flow_teu.get(lk.link_id, 0.0)
        lons, lats = zip(*net.line_of(lk), strict=True)
        if abs(flow) < fnorm.linthresh:
            ax.plot(lons, lats, color="#bbb", lw=MIN_WIDTH, alpha=0.5, zorder=1)
        else:
            ax.plot(lons, lats, color=DIFF_CMAP(fnorm(flow)), lw=1.2 + (MAX_WIDTH - 1.2) * diff_strength(flow, fnorm), alpha=0.9,
                    solid_capstyle="round", zorder=1)
    shown = sorted((sp for sp in spots if abs(sp.delay_h) >= dnorm.linthresh), key=lambda sp: -abs(sp.delay_h))
    for sp in shown:
        colour = DIFF_CMAP(dnorm(sp.delay_h))
        ax.scatter([sp.lon], [sp.lat], s=30 + MAX_AREA * diff_strength(sp.delay_h, dnorm), facecolor=colour, alpha=0.55,
                   edgecolor=colour, zorder=3)
    if not shown and all(abs(v) < fnorm.linthresh for v in flow_teu.values()):
        ax.text(0.5, 0.5, "no difference to the baseline", transform=ax.transAxes, ha="center", va="center", fontsize=12,
                color="#555", bbox={"fc": "white", "ec": "#ccc"}, zorder=6)
    bars = ((0.58, fnorm, scale.flow_teu, "difference in flow, TEU\n(line colour and width)"),
            (0.08, dnorm, scale.delay_h, "difference in added delay,\ntrain-h (circle colour and size)"))
    for y, norm, top, label in bars:
        if top <= 0:  # nothing of this kind differs in any panel
            ax.text(1.04, y + 0.3, label.split(",")[0] + ": none", transform=ax.transAxes, fontsize=7, va="top")
            continue
        bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=DIFF_CMAP), cax=ax.inset_axes((1.04, y, 0.035, 0.36)))
        ticks = diff_ticks(norm)
        bar.set_ticks(ticks, labels=[signed(t) for t in ticks], fontsize=7)
        bar.ax.set_title(label, fontsize=7, loc="left", pad=6)
    return shown[:8]


def _bounds(net: Network) -> tuple[float, float, float, float]:
    lons, lats = [n.lon for n in net.nodes if n.node_id != "shanghai"], [n.lat for n in net.nodes]
    return min(lons) - 2, max(lons) + 2, min(lats) - 3, max(lats) + 3


def _legends(ax, scale: MapScale) -> None:
    """Modes, line widths in TEU and circle sizes in train-hours of added delay."""
    kinds = [Line2D([], [], color=c, lw=3, label="sea lane" if m == "sea" else m) for m, c in MODE_COLOURS.items()]
    first = ax.legend(handles=kinds, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False, title="mode",
                      title_fontsize=7)
    ax.add_artist(first)
    widths = [Line2D([], [], color="#555", lw=_width(v, scale), label=f"{v:,.0f} TEU") for v in nice_steps(scale.flow_teu)]
    circles = [Line2D([], [], marker="o", ls="", color="#e03131", alpha=0.4, ms=math.sqrt(_area(v, scale)), label=f"{v:,.0f} train-h")
               for v in nice_steps(scale.delay_h, 2)]
    ax.legend(handles=widths + circles, loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize=7, frameon=False, labelspacing=1.4,
              title="flow (line width)\nadded delay (circle)", title_fontsize=7, borderpad=0.9)


OFFSETS = ((6, 6), (6, -14), (-6, 6), (-6, -14), (10, 18), (10, -26), (-10, 18), (-10, -26), (16, -4), (-16, -4))


def place_labels(ax, items: list[tuple[float, float, str]], fontsize: float = 7) -> list:
    """Annotate points greedily (largest first, as given): each label takes the first offset whose box overlaps no label
    already placed; a label with no free place is left out (the circle and the table still show it)."""
    renderer = ax.figure.canvas.get_renderer()
    placed: list[Any] = []
    texts: list[Any] = []
    for lon, lat, text in items:
        for dx, dy in OFFSETS:
            t = ax.annotate(text, (lon, lat), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, zorder=5,
                            ha="left" if dx >= 0 else "right", va="bottom" if dy >= 0 else "top",
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
            box = t.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(b) for b in placed):
                placed.append(box)
                texts.append(t)
                break
            t.remove()
    return texts


def queue_over_time(queues: dict[str, pd.DataFrame], facilities: list[str], labels: dict[str, str] | None = None) -> bytes:
    """Mean daily maximum queue (trains) at the given facilities: one panel per facility, one line per scenario.
    A panel where one scenario's queue is over 10× another's gets a symmetric-log y axis, so that the small queues
    stay readable next to the large one. ``queues[scenario]`` has columns key (facility), x (day), y (trains)."""
    labels = labels or {}
    n = max(1, len(facilities))
    fig = Figure(figsize=(10, 2.1 * n + 0.6))
    axes = fig.subplots(n, 1, sharex=True, squeeze=False, gridspec_kw={"hspace": 0.45})  # room for each panel's title
    for ax, fac in zip(axes[:, 0], facilities, strict=False):
        peaks = []
        for i, (name, df) in enumerate(queues.items()):
            d = df[df["key"] == fac]
            if len(d):
                ax.plot(d["x"], d["y"], lw=1.1, color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], label=name)
                peaks.append(float(d["y"].max()))
        positive = [p for p in peaks if p > 0]
        if positive and max(positive) > 10 * max(min(positive), 1.0):
            ax.set_yscale("symlog", linthresh=1.0)
            ax.set_ylabel("trains (log)", fontsize=8)
        else:
            ax.set_ylabel("trains", fontsize=8)
            ax.set_ylim(bottom=0)
        ax.set_title(labels.get(fac, fac), fontsize=9, loc="left")
        ax.grid(alpha=0.25)
    axes[0, 0].legend(fontsize=8, ncols=min(4, len(queues)), loc="upper right")
    axes[-1, 0].set_xlabel("day of the simulated period")
    return png(fig)


def transit_distribution(transit: dict[str, pd.DataFrame], corridors: list[str], labels: dict[str, str] | None = None) -> bytes:
    """Cumulative transit-time distribution (share of TEU delivered within x days) per corridor, one line per scenario,
    on a log x axis cut at the largest 99th percentile, so one slow scenario does not squeeze the others into a corner.
    ``transit[scenario]`` has columns key (corridor), x (transit days), y (TEU)."""
    labels = labels or {}
    n = max(1, len(corridors))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(4.4 * cols, 3.0 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, corridor in zip(axes.flat, corridors, strict=False):
        lo, hi = math.inf, 0.0
        for i, (name, df) in enumerate(transit.items()):
            d = df[df["key"] == corridor].groupby("x")["y"].sum().sort_index()
            if not len(d):
                continue
            share = np.cumsum(d.to_numpy()) / d.sum()
            ax.step(d.index.to_numpy(), share, where="post", color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], label=name)
            lo = min(lo, float(d.index[0]))
            hi = max(hi, float(d.index[min(len(d) - 1, int(np.searchsorted(share, 0.99)))]))
        if hi > 0:
            ax.set_xscale("log")
            ax.set_xlim(max(0.5, lo * 0.9), hi * 1.15)
            ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(labels.get(corridor, corridor), fontsize=9)
        ax.set_xlabel("transit days (log scale)", fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.25, which="both")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes[0, 0].set_ylabel("share of TEU delivered within")
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return png(fig)
