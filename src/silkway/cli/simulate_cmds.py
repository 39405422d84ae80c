"""silkway simulate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from silkway import limits
from silkway.atomic import check_folder
from silkway.cli._app import AS_OF_HELP, DATASET_HELP, LazyModule, Table, app, console
from silkway.vocabulary import RouteMode

if TYPE_CHECKING:
    from silkway.simulation import SimulationResult

svc = LazyModule("silkway.services.simulation")


@app.command()
def simulate(
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    demand: Annotated[Path | None, typer.Option("--demand", help="Demand CSV (default: the dataset's demand.csv, else the embedded 2023 demand).")] = None,
    days: Annotated[int, typer.Option("--days", help="Simulated days reported (after the warm-up).")] = 365,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; every random stream derives from it.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Folder for Parquet tables, KPIs and PNG plots.")] = Path("simulation-out"),
    route_mode: Annotated[RouteMode, typer.Option("--route-mode", help="fixed (each demand row keeps its corridor route) or adaptive "
                                                  "(least expected time given current queues).", case_sensitive=False)] = RouteMode.FIXED,
    warmup_days: Annotated[float, typer.Option("--warmup-days", help="Days simulated before the reported period.")] = 30,
    green_channel_share: Annotated[float, typer.Option("--green-channel-share", help="Share of trains with fast customs.")] = 0.0,
    scale: Annotated[float, typer.Option("--scale", help="Multiply all demand flows (2 = double two-way trade).")] = 1.0,
    avoid: Annotated[list[str] | None, typer.Option("--avoid", help="Country code, place or mode no route may use (repeatable); "
                                                     "blocked flows detour, flows from/to an avoided place are dropped.")] = None,
) -> None:
    """Simulate container flows (trains, gauge breaks, borders, ferries) and report throughput, transit times, bottlenecks."""
    check_folder(out)  # before the run, not after it
    limits.SCALE.check(scale, "--scale")
    options = svc.SimOptions(route_mode=route_mode, warmup_days=warmup_days, green_channel_share=green_channel_share,
                             avoid=tuple(avoid or ()))
    if svc.kernel_compiled() is False:
        console.print(svc.COMPILE_NOTE, highlight=False)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.fields[day]}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("sim", total=1.0, day="")

        def progress(done: float, total: float) -> None:
            bar.update(task, completed=done / total, day=f"day {done:.0f}/{total:.0f}")

        from silkway.interrupts import run_interruptibly

        # in a worker thread: Ctrl-C is seen at once even during the kernel's compile (minutes of native code)
        run = run_interruptibly(lambda: svc.run_simulation(dataset, demand, days=days, seed=seed, options=options,
                                                           progress=progress, as_of=as_of, scale=scale))
    if run.network.as_of:
        console.print(f"network as of {run.network.as_of}", highlight=False)
    _print(run.result)
    files = svc.write_outputs(run.result, out, run.network)
    console.print(f"wrote {len(files)} files to {out}/ (Parquet tables, stations and vessel_links as GeoParquet, kpis.json, "
                  "summary.txt, queues.png, transit_times.png)")


def _print(r: SimulationResult) -> None:
    k = r.kpis()
    console.print(f"[bold]simulated {r.days:g} days[/] (+{r.warmup_days:g} warm-up), seed {r.seed}, {r.events:,} events; "
                  f"generated {k['generated_teu']:,.0f} TEU, delivered {k['delivered_teu']:,.0f} TEU", markup=True)
    for line in (*r.booking_lines(), *r.caspian_lines()):
        console.print(line, highlight=False)
    t = Table(title="Trains per border crossing")
    t.add_column("border node")
    t.add_column("trains", justify="right")
    for node, n in sorted(r.border_trains().items(), key=lambda x: -x[1]):
        t.add_row(node, f"{n:,}")
    console.print(t)
    t = Table(title="Corridors")
    for col in ("corridor", "TEU delivered", "transit days median", "transit days P90"):
        t.add_column(col, justify="left" if col == "corridor" else "right")
    for row in r.corridor_table().itertuples():
        t.add_row(row.corridor, f"{row.throughput_teu:,.0f}", f"{row.transit_days_median:.1f}", f"{row.transit_days_p90:.1f}")
    console.print(t)
    t = Table(title="Top bottlenecks by added delay")
    for col in ("station", "trains", "mean wait h", "added delay train-h", "max queue"):
        t.add_column(col, justify="left" if col == "station" else "right", overflow="fold")
    for row in r.bottlenecks().itertuples():
        t.add_row(row.station_id, f"{row.trains:,}", f"{row.mean_wait_h:.1f}", f"{row.added_delay_train_h:,.0f}", str(row.max_queue_trains))
    console.print(t)
