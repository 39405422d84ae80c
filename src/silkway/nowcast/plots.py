"""Nowcast figure: each train's ETA band (P10–P90) and median (matplotlib Agg canvas, no pyplot state)."""

from __future__ import annotations

from datetime import datetime


def eta_figure(eta, at: datetime, limit: int = 40):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = eta.dropna(subset=["eta_p50"]).sort_values("eta_p50").head(limit)
    fig = Figure(figsize=(8, 0.25 * max(len(rows), 4) + 1.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    y = range(len(rows))
    lo = [(a - at).total_seconds() / 86400 for a in rows["eta_p10"]]
    mid = [(a - at).total_seconds() / 86400 for a in rows["eta_p50"]]
    hi = [(a - at).total_seconds() / 86400 if a == a else float("nan") for a in rows["eta_p90"]]
    ax.hlines(list(y), lo, hi, color="tab:blue", alpha=0.5, linewidth=4, label="P10–P90")
    ax.plot(mid, list(y), "k|", markersize=8, label="P50")
    ax.set_yticks(list(y), list(rows["train_id"]), fontsize=7)
    ax.set_xlabel(f"days after {at:%Y-%m-%d %H:%M} UTC")
    ax.set_title(f"ETA of the {len(rows)} trains due first")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    return fig
