"""The saturation curve: simulated KPIs against the demand multiplier, with 95% confidence intervals.

Pure functions over the KPIs of finished runs (the runs themselves are the service's job): a long table of
``multiplier, corridor, metric, mean, half_width, n`` and a matplotlib figure (Agg canvas, no file I/O).
Metrics: delivered TEU/year (TEU delivered in the reported period × 365 / days), P90 and median transit days of
delivered cargo, and every KPI whose name speaks of held, diverted or refused cargo when the simulation reports one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from silkway.errors import SilkwayError

ALL = "all"
EXCESS = re.compile(r"held|divert|refus")
METRICS = ("delivered_teu_year", "transit_days_p90", "transit_days_median")


def parse_multipliers(text: str) -> tuple[float, ...]:
    """``"0.5,1,2"`` → (0.5, 1.0, 2.0); a clear error for anything else (empty, not a number, ≤ 0, repeated)."""
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not items:
        raise SilkwayError("--multipliers: give demand multipliers separated by commas, e.g. 0.5,1,2")
    out = []
    for t in items:
        try:
            m = float(t)
        except ValueError:
            raise SilkwayError(f"--multipliers: '{t}' is not a number") from None
        if not (math.isfinite(m) and m > 0):
            raise SilkwayError(f"--multipliers: {t} is not a multiplier > 0")
        out.append(m)
    if len(set(out)) < len(out):
        raise SilkwayError("--multipliers: a multiplier is repeated")
    return tuple(sorted(out))


def kpi_rows(multiplier: float, replication: int, seed: int, kpis: Mapping[str, float], days: float) -> list[dict]:
    """One run's KPIs as curve metrics (long rows)."""
    rows = []

    def add(corridor: str, metric: str, value: float) -> None:
        rows.append({"multiplier": multiplier, "replication": replication, "seed": seed, "corridor": corridor,
                     "metric": metric, "value": float(value)})

    year = 365.0 / days
    add(ALL, "delivered_teu_year", kpis.get("delivered_teu", 0.0) * year)
    add(ALL, "generated_teu_year", kpis.get("generated_teu", 0.0) * year)
    for name, value in kpis.items():
        if name.startswith("throughput_teu_corridor_"):
            add(name.removeprefix("throughput_teu_corridor_"), "delivered_teu_year", value * year)
        elif name.startswith("transit_days_p90_corridor_"):
            add(name.removeprefix("transit_days_p90_corridor_"), "transit_days_p90", value)
        elif name.startswith("transit_days_median_corridor_"):
            add(name.removeprefix("transit_days_median_corridor_"), "transit_days_median", value)
        elif name in ("transit_days_p90", "transit_days_median"):
            add(ALL, name, value)
        elif EXCESS.search(name):
            add(ALL, name, value)
    return rows


def summarise(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval half-width per (multiplier, corridor, metric) over the replications."""
    rows = []
    for (m, corridor, metric), g in runs.groupby(["multiplier", "corridor", "metric"], sort=True):
        v = g["value"].astype(float)
        n = len(v)
        hw = float(stats.t.ppf(0.5 + level / 2, n - 1) * v.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        rows.append({"multiplier": m, "corridor": corridor, "metric": metric, "mean": float(v.mean()), "half_width": hw, "n": n})
    return pd.DataFrame(rows, columns=["multiplier", "corridor", "metric", "mean", "half_width", "n"])


def curve_figure(table: pd.DataFrame, capacity_teu_year: Mapping[str, float] | None = None, title: str = "") -> Figure:
    """Delivered TEU/year and P90 transit per corridor against the multiplier (error bars: 95% CI); the analytic
    capacity of each corridor (both directions added) as a dashed line; held/diverted/refused when present."""
    # the three totals in TEU only (held/diverted/refused); their splits by corridor and direction stay in the table
    excess = [m for m in ("held_teu", "diverted_teu", "refused_teu") if m in set(table.metric)]
    excess = excess or sorted(m for m in table.metric.unique() if EXCESS.search(m) and m.endswith("_teu"))
    panels = 2 + bool(excess)
    fig = Figure(figsize=(6.2 * panels, 5.2), dpi=110)
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(1, panels, k + 1) for k in range(panels)]
    corridors = sorted(c for c in table.corridor.unique() if c != ALL)
    colours = {c: f"C{k}" for k, c in enumerate(corridors)}
    _panel(axes[0], table, "delivered_teu_year", corridors, colours, 1e3)
    for c, cap in (capacity_teu_year or {}).items():
        if c in colours and cap:
            axes[0].axhline(cap / 1e3, color=colours[c], ls="--", lw=1)
    axes[0].set_ylabel("delivered, thousand TEU/year (dashed: analytic, corridor alone)")
    _panel(axes[1], table, "transit_days_p90", corridors, colours, 1.0)
    axes[1].set_ylabel("P90 transit of delivered cargo, days")
    if excess:
        _panel(axes[2], table[table.corridor == ALL], None, excess, {m: f"C{k}" for k, m in enumerate(excess)}, 1e3)
        axes[2].set_ylabel("held at origin / diverted / refused, thousand TEU")
    for ax in axes:
        ax.set_xlabel("demand multiplier (× the demand of the run)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title or "Saturation curve (mean, 95% CI over replications)")
    fig.tight_layout()
    return fig


def _panel(ax, table: pd.DataFrame, metric: str | None, keys: Sequence[str], colours: Mapping[str, str], unit: float) -> None:
    for key in keys:
        g = table[(table.metric == metric) & (table.corridor == key)] if metric else table[table.metric == key]
        if len(g):
            ax.errorbar(g.multiplier, g["mean"] / unit, yerr=g.half_width.fillna(0) / unit, marker="o", capsize=3,
                        color=colours[key], label=key)
