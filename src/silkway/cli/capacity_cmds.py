"""silkway capacity."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from silkway import jsonsafe, limits
from silkway.atomic import check_folder
from silkway.cli._app import AS_OF_HELP, DATASET_HELP, LazyModule, Table, app, console, lit
from silkway.errors import SilkwayError

if TYPE_CHECKING:
    from silkway.capacity import CapacityReport

svc = LazyModule("silkway.services.capacity")


@app.command()
def capacity(
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    scenario: Annotated[Path | None, typer.Option("--scenario", help="A scenario file (YAML): its network, demand and options.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the capacity report as JSON.")] = False,
    no_closures: Annotated[bool, typer.Option("--no-closures", help="Do not take the expected closed fraction of closures off.")] = False,
    curve: Annotated[bool, typer.Option("--curve", help="Also simulate the saturation curve (throughput against demand).")] = False,
    multipliers: Annotated[str, typer.Option("--multipliers", help="Demand multipliers of the curve, comma-separated.")] = "0.5,1,2,3",
    replications: Annotated[int, typer.Option("--replications", help="Runs per multiplier (seeds seed, seed+1, … at every multiplier).")] = 3,
    days: Annotated[float, typer.Option("--days", help="Simulated days per run (after the 30-day warm-up).")] = 60,
    seed: Annotated[int, typer.Option("--seed", help="First seed of the curve's runs.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the curve's CSV, Parquet and PNG.")] = Path("capacity-out"),
) -> None:
    """Capacity per corridor and per element (maximum flow / minimum cut), and optionally the simulated saturation curve."""
    if as_json and curve:
        raise SilkwayError("choose one of --json (the capacity report) and --curve (the saturation curve, written to --out)")
    mults = svc.parse_multipliers(multipliers) if curve else ()
    if curve:
        check_folder(out)
        for bound, value in ((limits.REPLICATIONS, replications), (limits.DAYS, days), (limits.SEED, seed), *((limits.SCALE, m) for m in mults)):
            bound.check(value)
    got, report = svc.capacity(dataset, as_of, scenario, closures=not no_closures)
    if as_json:
        print(jsonsafe.dumps(svc.report_dict(report), indent=1, ensure_ascii=False))
        return
    console.print(f"[bold]capacity[/] of {lit(str(got.label))}: container trains/day of {report.train_teu:g} TEU, after background "
                  f"traffic{' and expected closures' if report.closures else ''}", highlight=False, markup=True)
    _print(report)
    if curve:
        _curve(svc.with_capacity, got, report, mults, replications, days, seed, out)


def _print(r: CapacityReport) -> None:
    names = {e.element_id: e.name for e in r.elements}
    t = Table(title="Corridors (maximum flow over the corridor's routes; 'alone' = the other direction idle)")
    for col in ("corridor", "direction", "demand trains/d", "capacity trains/d", "TEU/yr", "alone trains/d", "binding elements (minimum cut)"):
        t.add_column(col, justify="left" if col in ("corridor", "direction", "binding elements (minimum cut)") else "right", overflow="fold")
    for c in r.corridors:
        note = f" (route of {', '.join(c.repeated)} passes a station twice)" if c.repeated else ""
        t.add_row(c.corridor, str(c.direction), f"{c.demand_trains_day:.1f}", _num(c.trains_day, 1), _num(c.teu_year, 0),
                  _num(c.alone_trains_day, 1), "; ".join(names.get(b, b) for b in c.binding) + note)
    console.print(t)
    t = Table(title="Elements (container trains/day; shared = one capacity for both directions)")
    for col in ("element", "kind", "gross", "closed %", "containers trains/d", "TEU/yr", "in the cut of"):
        t.add_column(col, justify="left" if col in ("element", "kind", "in the cut of") else "right", overflow="fold")
    for e in sorted(r.elements, key=lambda e: (e.kind, e.name)):
        t.add_row(e.name + (" [shared]" if e.shared else ""), str(e.kind), _num(e.gross_trains_day, 1), f"{100 * e.closed_fraction:.1f}",
                  _num(e.trains_day, 2), _num(e.teu_year, 0), ", ".join(e.binding_in))
    console.print(t)


def _curve(with_capacity, got, report, mults, replications, days, seed, out) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("saturation curve"), BarColumn(), TextColumn("{task.fields[what]}"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("curve", total=len(mults) * replications, what="")

        def progress(done: int, total: int, m: float, rep: int) -> None:
            bar.update(task, completed=done, what=f"run {done + 1}/{total}: ×{m:g}, replication {rep + 1}" if done < total else "done")

        from silkway.interrupts import run_interruptibly

        # in a worker thread: Ctrl-C is seen at once even during the kernel's compile; it ends the command with no file
        curve = run_interruptibly(lambda: svc.saturation_curve(got, mults, replications=replications, days=days, seed=seed,
                                                               progress=progress))
    if curve.interrupted:  # (the curve ran in this thread: it kept its finished runs, but a partial curve is not written)
        raise KeyboardInterrupt
    curve = with_capacity(curve, report)
    console.print(f"{len(curve.runs.groupby(['multiplier', 'replication']))} runs, {days:g} days each (+30 warm-up), seeds "
                  f"{', '.join(map(str, curve.seeds))} at every multiplier (common random numbers)", highlight=False)
    tab = curve.table
    t = Table(title="Saturation curve: mean ± 95% CI half-width (splits per direction and corridor: saturation.csv)")
    extra = [m for m in CURVE_TOTALS if m in set(tab.metric)]  # the totals; a column per split would not fit a terminal
    for col in ("multiplier", "corridor", "delivered TEU/yr", "P90 transit d", *extra):
        t.add_column(col, justify="right")
    for (m, corridor), g in tab.groupby(["multiplier", "corridor"], sort=True):
        cell = {r.metric: (r.mean, r.half_width) for r in g.itertuples()}
        t.add_row(f"{m:g}", corridor, _ci(cell.get("delivered_teu_year"), 0), _ci(cell.get("transit_days_p90"), 1),
                  *(_ci(cell.get(x), 1) for x in extra))
    console.print(t)
    from silkway.interrupts import sigint_deferred

    with sigint_deferred():  # the four files, all or none
        files = svc.write_curve(curve, out, title=f"Saturation curve — {got.label}")
    console.print(f"wrote {', '.join(f.name for f in files)} to {out}/")


CURVE_TOTALS = ("held_teu", "held_days_median", "held_days_p90", "diverted_teu", "refused_teu")


def _num(x: float | None, digits: int) -> str:
    return "unlimited" if x is None else f"{x:,.{digits}f}"


def _ci(v: tuple[float, float] | None, digits: int) -> str:
    if v is None:
        return ""
    mean, hw = v
    return f"{mean:,.{digits}f}" + ("" if hw != hw else f" ± {hw:,.{digits}f}")
