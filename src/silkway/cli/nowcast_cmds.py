"""silkway nowcast --observed FILE --at TIME --horizon DAYS | silkway nowcast backtest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkway.cli._app import DATASET_HELP, LazyModule, app, console, console_err

svc = LazyModule("silkway.services.nowcast")

nowcast_app = typer.Typer(help="The live twin: forecast ETAs and queue clearance from observations (docs/nowcast.md).",
                          invoke_without_command=True)
app.add_typer(nowcast_app, name="nowcast")


@nowcast_app.callback(invoke_without_command=True)
def nowcast(
    ctx: typer.Context,
    observed: Annotated[Path | None, typer.Option("--observed", help="Observation file (.csv or .jsonl, docs/nowcast.md).")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Forecast time, ISO 8601 (e.g. 2024-03-05T06:00Z).")] = None,
    horizon: Annotated[float, typer.Option("--horizon", help="Forecast horizon in days.")] = 30.0,
    members: Annotated[int, typer.Option("--members", help="Ensemble members.")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the ensemble.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Processes running the members (at most the cores).")] = 1,
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("nowcast-out"),
) -> None:
    """Forecast each observed train's ETA (P10/P50/P90) and each queue's clearance time from the state at --at."""
    if ctx.invoked_subcommand is not None:
        return
    if observed is None or at is None:
        console_err.print(ctx.get_help(), highlight=False)
        raise typer.Exit(2)
    from silkway.interrupts import run_interruptibly  # the simulations in a worker thread: Ctrl-C is seen at once

    run = run_interruptibly(lambda: svc.run_nowcast(observed, at, horizon_days=horizon, dataset=dataset, members=members, seed=seed,
                                                    workers=workers))
    for p in svc.write_nowcast(run, out):
        console.print(f"wrote {p}", highlight=False)
    console.print(run.eta[["train_id", "eta_p10", "eta_p50", "eta_p90"]].head(20).to_string(index=False), highlight=False)
    console.print(run.clearance.to_string(index=False), highlight=False)


@nowcast_app.command("backtest")
def backtest(
    days: Annotated[float, typer.Option("--days", help="Simulated days of the truth after the 10-day warm-up.")] = 60,
    members: Annotated[int, typer.Option("--members", help="Ensemble members per forecast.")] = 30,
    horizon: Annotated[float, typer.Option("--horizon", help="Forecast horizon in days.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the truth and the ensembles.")] = 0,
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
) -> None:
    """A hidden truth with an unannounced closure, a slowed yard, a demand surge and an acceptance stop; forecasts at
    days 24, 28, 32 scored against it and against the route planner's static ETA and the forecast without assimilation."""
    from silkway.interrupts import run_interruptibly  # the simulations in a worker thread: Ctrl-C is seen at once

    scores = run_interruptibly(lambda: svc.run_backtest(dataset=dataset, days=days, seed=seed, members=members, horizon_days=horizon))
    console.print(scores.table().to_string(index=False), highlight=False)
    console.print(scores.summary().to_string(), highlight=False)
