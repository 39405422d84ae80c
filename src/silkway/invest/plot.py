"""The frontier chart: benefit over doing nothing against capital, with 95% intervals, and the build order.
Drawn from an :class:`~silkway.invest.result.InvestResult`, so a stored run draws without simulating again."""

from __future__ import annotations

import textwrap
from typing import Any

from silkway.invest.result import InvestResult, money

UNITS = {"delivered": "TEU delivered (more than doing nothing)", "refused_diverted": "TEU refused or diverted (fewer)",
         "p90": "P90 transit (days shorter)", "npv": "net present value (USD)"}


def default_title(r: InvestResult) -> str:
    return (f"{r.scenario}: objective {r.objective.value}, budget {money(r.budget_usd)}, "
            f"{r.replications} CRN replications of {r.days} days")


def frontier_figure(r: InvestResult, title: str | None = None) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5.5), dpi=110)
    ax = fig.add_axes((0.1, 0.2, 0.86, 0.72))
    fr = r.frontier
    x = [q.cost_usd / 1e6 for q in fr]
    y = [q.benefit for q in fr]
    err = [[q.benefit - q.benefit_low for q in fr], [q.benefit_high - q.benefit for q in fr]]
    ax.errorbar(x, y, yerr=err, fmt="o-", drawstyle="steps-post", capsize=3, label="efficient frontier (95% CI)")
    for n, q in enumerate(fr, 1):  # numbered here, named in the caption (names are long)
        ax.annotate(str(n), (q.cost_usd / 1e6, q.benefit), fontsize=8, xytext=(4, -10), textcoords="offset points")
    ax.plot([r.best.cost_usd / 1e6], [r.best.benefit], "*", ms=14, color="tab:green", label="selected (KN)", zorder=4)
    names = [f"{n}: {q.portfolio}" for n, q in enumerate(fr, 1)]
    fig.text(0.02, 0.02, "\n".join(textwrap.wrap("frontier points — " + ";  ".join(names), 150)), fontsize=7, va="bottom")
    if r.stages:
        sx = [s.cumulative.cost_usd / 1e6 for s in r.stages]
        sy = [s.cumulative.benefit for s in r.stages]
        ax.plot([0, *sx], [0, *sy], "s--", drawstyle="steps-post", color="tab:orange", alpha=0.8, label="build order (greedy, simulated)")
    ax.axvline(r.budget_usd / 1e6, color="grey", ls=":", label="budget")
    ax.set_xlabel("capital (million USD)")
    ax.set_ylabel(UNITS.get(r.objective.value, r.objective.value))
    ax.set_title(title or default_title(r), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig
