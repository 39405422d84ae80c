"""The HTML report's investment section: the frontier chart, the map of the chosen upgrades, the build order and the
frontier as tables with their 95% confidence intervals, and the statement of the selection's guarantee."""

from __future__ import annotations

import base64
import html

from silkway.invest.result import InvestResult, money


def _img(data: bytes, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(data).decode()}'>"


def _ci(x: float, lo: float, hi: float) -> str:
    return f"{x:,.1f}</td><td>{lo:,.1f} … {hi:,.1f}"


def invest_section(r: InvestResult, frontier_png: bytes, map_png: bytes) -> str:
    u = html.escape(r.unit)
    stages = "".join(f"<tr><td>{i}</td><td class='k'>{html.escape(r.names.get(s.project_id, s.project_id))}</td>"
                     f"<td>{money(s.cost_usd)}</td><td>{_ci(s.marginal.benefit, s.marginal.benefit_low, s.marginal.benefit_high)}</td>"
                     f"<td>{_ci(s.cumulative.benefit, s.cumulative.benefit_low, s.cumulative.benefit_high)}</td></tr>"
                     for i, s in enumerate(r.stages, 1))
    stages = stages or "<tr><td colspan='7' class='k'>no affordable project adds a significant benefit (paired 95% CI)</td></tr>"
    front = "".join(f"<tr><td>{money(q.cost_usd)}</td><td class='k'>{html.escape(q.portfolio)}</td>"
                    f"<td>{_ci(q.benefit, q.benefit_low, q.benefit_high)}</td><td>{q.n}</td></tr>" for q in r.frontier)
    b = r.best
    return (f"<h2>Investment plan: which upgrades, in what order</h2>"
            f"<p>{html.escape(r.scenario)}: objective <code>{r.objective.value}</code>, budget {money(r.budget_usd)}, "
            f"{r.days}-day horizon, {r.replications} common-random-number replications per portfolio, seed {r.seed}; "
            f"{r.simulations_total} simulations. {html.escape(r.statement)}.</p>"
            f"<p><b>Selected</b>: {html.escape(b.portfolio)} — {money(b.cost_usd)}; benefit over doing nothing {b.benefit:,.1f} {u} "
            f"(95% CI {b.benefit_low:,.1f} … {b.benefit_high:,.1f}; {b.n} replications).</p>"
            f"{_img(frontier_png, 'efficient frontier')}{_img(map_png, 'map of the chosen upgrades')}"
            f"<h3>Build order (greedy by marginal benefit per USD; every stage simulated)</h3><div class='wide'><table>"
            f"<tr><th>stage</th><th class='k'>project</th><th>capital</th><th>marginal {u}</th><th>95% CI</th>"
            f"<th>cumulative {u}</th><th>95% CI</th></tr>{stages}</table></div>"
            f"<h3>Efficient frontier (benefit over doing nothing, paired 95% CI)</h3><div class='wide'><table>"
            f"<tr><th>capital</th><th class='k'>portfolio</th><th>benefit {u}</th><th>95% CI</th><th>n</th></tr>{front}</table></div>")
