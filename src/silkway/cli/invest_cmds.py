"""silkway invest: which upgrades, in what order, within a budget."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from silkway.atomic import check_folder
from silkway.cli._app import LazyModule, Table, app, console, console_err, lit
from silkway.vocabulary import BackendKind, InvestObjective

svc = LazyModule("silkway.services.invest")


@app.command()
def invest(
    scenario: Annotated[Path, typer.Option("--scenario", help="Demand scenario YAML (e.g. examples/double-trade.yaml).")],
    budget: Annotated[float, typer.Option("--budget", help="Capital budget, USD (e.g. 3e9).")],
    objective: Annotated[InvestObjective, typer.Option("--objective", help="What a portfolio is judged by.",
                                                       case_sensitive=False)] = InvestObjective.DELIVERED,
    replications: Annotated[int, typer.Option("--replications", "-r", help="First-stage CRN replications per portfolio.")] = 5,
    days: Annotated[int | None, typer.Option("--days", help="Horizon in days (default: the scenario's).")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    alpha: Annotated[float, typer.Option("--alpha", help="1 - alpha = guaranteed probability of correct selection.")] = 0.05,
    delta: Annotated[float | None, typer.Option("--delta", help="Indifference zone in objective units (default: docs/invest.md).")] = None,
    max_reps: Annotated[int, typer.Option("--max-reps", help="Cap on replications per candidate.")] = 40,
    trials: Annotated[int, typer.Option("--trials", help="Optuna TPE trials when there are too many portfolios to enumerate.")] = 40,
    project: Annotated[list[str] | None, typer.Option("--project", help="Only these project ids (repeatable).")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Local Dask workers (1 = in this process).")] = 2,
    address: Annotated[str | None, typer.Option("--address", help="An existing Dask scheduler, tcp://HOST:PORT.")] = None,
    backend: Annotated[BackendKind, typer.Option("--backend", help="dask (a local cluster unless --address) or local (processes).",
                                             case_sensitive=False)] = BackendKind.DASK,
    store: Annotated[Path | None, typer.Option("--store", help="Folder of stored evaluations (resume).")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the frontier chart (PNG) here.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for frontier.csv, build_order.csv, invest.json, "
                                             "frontier.png and upgrades_map.png.")] = None,
) -> None:
    """Choose the portfolio of upgrades within a budget (ranking and selection with a stated guarantee), print the
    efficient frontier and the staged build order with 95% confidence intervals."""
    if out is not None:
        check_folder(out, "--out folder")  # before the simulations, not after
    req = svc.InvestRequest(scenario, budget, objective, replications, days, seed, alpha, delta, max_reps, trials,
                            tuple(project or ()), workers, address, backend, store if store is not None else svc.DEFAULT_INVEST_STORE)
    t0 = time.perf_counter()
    from silkway.interrupts import announce, run_interruptibly

    try:  # in a worker thread: Ctrl-C is seen at once, even during the kernel's compile
        outcome = run_interruptibly(lambda: svc.invest(req))
    except KeyboardInterrupt:
        console_err.print(f"{announce()}: finished evaluations are stored; run the same command again to resume", highlight=False)
        raise typer.Exit(130) from None
    _print(outcome, time.perf_counter() - t0)
    if plot is not None:
        console.print(f"frontier chart: {svc.write_plot(outcome, plot)}")
    if out is not None:
        console.print("wrote " + ", ".join(str(p) for p in svc.write_outputs(outcome, out)), highlight=False)


def _print(out, wall_s: float) -> None:
    from silkway.services.invest import portfolio_key, probability_statement

    p = out.plan
    unit = "USD" if p.objective.value == "npv" else ("days" if p.objective.value == "p90" else "TEU")
    console.print(f"[bold]{lit(out.scenario_name)}[/]: objective {p.objective.value}, budget {p.settings.budget_usd:,.0f} USD, "
                  f"{len(out.catalogue.projects)} candidate projects, {out.days}-day horizon, seed {p.settings.seed}", markup=True)
    console.print(f"  {probability_statement(p)}", highlight=False)
    b = p.best
    console.print(f"[bold green]selected[/]: {lit(portfolio_key(b.portfolio))} — capital {b.cost_usd:,.0f} USD; benefit "
                  f"{b.benefit:,.1f} {unit} (95% CI {b.benefit_low:,.1f} … {b.benefit_high:,.1f}; {b.n} replications)", highlight=False, markup=True)
    t = Table(title="Efficient frontier (benefit over doing nothing, paired 95% CI)")
    for c in ("capital USD", "portfolio", f"benefit {unit}", "95% CI", "n"):
        t.add_column(c, justify="left" if c == "portfolio" else "right", overflow="fold")
    for q in p.frontier:
        t.add_row(f"{q.cost_usd:,.0f}", portfolio_key(q.portfolio), f"{q.benefit:,.1f}", f"{q.benefit_low:,.1f} … {q.benefit_high:,.1f}", str(q.n))
    console.print(t)
    t = Table(title="Build order (greedy by marginal benefit per USD; every stage simulated)")
    for c in ("stage", "project", "capital USD", f"marginal {unit} (95% CI)", "per M USD", f"cumulative {unit} (95% CI)"):
        t.add_column(c, justify="left" if c == "project" else "right", overflow="fold")
    for i, s in enumerate(p.stages, 1):
        m, cu = s.marginal, s.cumulative
        t.add_row(str(i), s.project_id, f"{s.cost_usd:,.0f}", f"{m.benefit:,.1f} ({m.benefit_low:,.1f} … {m.benefit_high:,.1f})",
                  f"{s.per_million_usd:,.2f}", f"{cu.benefit:,.1f} ({cu.benefit_low:,.1f} … {cu.benefit_high:,.1f})")
    console.print(t)
    where = f"; store {out.store_dir}" if out.store_dir else ""
    console.print(f"{p.simulations_run} simulations run, {out.loaded} loaded from the store, {wall_s:,.1f} s{where}", highlight=False)
