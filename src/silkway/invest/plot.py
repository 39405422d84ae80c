"""The frontier chart: benefit over doing nothing against capital, with 95% intervals, and the build order."""

from __future__ import annotations

from typing import Any

from silkway.invest.model import portfolio_key
from silkway.invest.plan import InvestPlan

UNITS = {"delivered": "TEU delivered (more than doing nothing)", "refused_diverted": "TEU refused or diverted (fewer)",
         "p90": "P90 transit (days shorter)", "npv": "net present value (USD)"}


def frontier_figure(p: InvestPlan, title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), dpi=110)
    ax = fig.add_subplot()
    fr = p.frontier
    x = [q.cost_usd / 1e6 for q in fr]
    y = [q.benefit for q in fr]
    err = [[q.benefit - q.benefit_low for q in fr], [q.benefit_high - q.benefit for q in fr]]
    ax.errorbar(x, y, yerr=err, fmt="o-", drawstyle="steps-post", capsize=3, label="efficient frontier (95% CI)")
    for q in fr:
        ax.annotate(portfolio_key(q.portfolio), (q.cost_usd / 1e6, q.benefit), fontsize=7, xytext=(4, 4), textcoords="offset points")
    if p.stages:
        sx = [s.cumulative.cost_usd / 1e6 for s in p.stages]
        sy = [s.cumulative.benefit for s in p.stages]
        ax.plot([0, *sx], [0, *sy], "s--", color="tab:orange", alpha=0.8, label="build order (greedy, simulated)")
    ax.axvline(p.settings.budget_usd / 1e6, color="grey", ls=":", label="budget")
    ax.set_xlabel("capital (million USD)")
    ax.set_ylabel(UNITS.get(p.objective.value, p.objective.value))
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
