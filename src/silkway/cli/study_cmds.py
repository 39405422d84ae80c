"""silkway scenario validate|diff, study, report, calibrate, demo."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from silkway.atomic import check_file, check_folder
from silkway.cli._app import LazyModule, Table, app, console, console_err, lit
from silkway.defaults import DEFAULT_STORE
from silkway.vocabulary import BackendKind

svc = LazyModule("silkway.services.studies")

scenario_app = typer.Typer(help="Check and compare scenario files.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")

STORE_HELP = "Results store (DuckDB file)."


@scenario_app.command("validate")
def scenario_validate(file: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Validate a scenario file (schema, extends, places and ids in its dataset)."""
    c = svc.check(file)
    chain = " ← ".join(p.name for p in reversed(c.chain))
    console.print(f"[green]ok[/]: {lit(c.name)} (hash {c.hash}; {lit(chain)})", markup=True)
    console.print(f"  {c.changed_links} link(s) and {c.changed_facilities} facility(ies) changed, {c.new_facilities} new "
                  f"facility(ies) vs the dataset; {c.demand_growth} demand change(s)")
    for key, value in c.options.items():
        shown = f"{len(value)} closure window(s)" if key == "extra_closures" else value
        console.print(f"  option {key} = {shown}")


@scenario_app.command("diff")
def scenario_diff(a: Annotated[Path, typer.Argument(help="First scenario.")], b: Annotated[Path, typer.Argument(help="Second scenario.")]) -> None:
    """What differs between two scenarios: their definitions and their effect on the network."""
    definition, effect = svc.diff(a, b)
    if not definition:
        console.print("identical definitions")
        return
    console.print("[bold]Definitions[/]", markup=True)
    for c in definition:
        console.print(f"  {c}", markup=False, highlight=False)
    console.print("[bold]Effect on the network and the simulation options[/]", markup=True)
    for c in effect or ["(none)"]:
        console.print(f"  {c}", markup=False, highlight=False)


@app.command()
def study(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files; the first is the baseline.")],
    replications: Annotated[int, typer.Option("--replications", "-r", help="Replications per scenario.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Study seed; replication seeds derive from (seed, scenario hash, index).")] = 0,
    days: Annotated[int | None, typer.Option("--days", help="Horizon in days (default: the first scenario's, else 365).")] = None,
    backend: Annotated[BackendKind, typer.Option("--backend", help="local (processes) or dask.", case_sensitive=False)] = BackendKind.LOCAL,
    workers: Annotated[int, typer.Option("--workers", help="Local worker processes.")] = 2,
    address: Annotated[str | None, typer.Option("--address", help="Dask scheduler, tcp://HOST:PORT.")] = None,
    store: Annotated[Path, typer.Option("--store", help=STORE_HELP)] = DEFAULT_STORE,
    crn: Annotated[bool, typer.Option("--crn/--no-crn", help="Common random numbers: replication i of every scenario uses the same "
                                                          "seed, differences are paired t-tests (--no-crn: independent seeds, Welch).")] = True,
    export: Annotated[Path | None, typer.Option("--export", help="Also write the study as Parquet files into this folder.")] = None,
    all_kpis: Annotated[bool, typer.Option("--all", help="Print every KPI (default: the headline ones).")] = False,
) -> None:
    """Run R replications of each scenario, store them, print KPIs with 95% confidence intervals."""
    check_file(store, "results store")
    if export:
        check_folder(export, "export folder")
    from silkway.interrupts import run_interruptibly

    try:  # in a worker thread: Ctrl-C is seen at once (a replication in this process, or the wait for the workers' ones)
        run_interruptibly(lambda: _study(scenarios, replications, seed, days, backend, workers, address, store, crn, export, all_kpis))
    except KeyboardInterrupt:
        from silkway.interrupts import announce

        console_err.print(f"{announce()}: finished replications are stored; run the same command again to resume", highlight=False)
        raise typer.Exit(130) from None


def _study(scenarios, replications, seed, days, backend, workers, address, store, crn, export, all_kpis) -> None:
    spec = svc.make_spec(list(scenarios), replications, seed=seed, days=days, crn=crn)
    be = svc.backend_for(backend, workers, address)
    console.print(f"study {spec.study_id}: {len(spec.scenarios)} scenario(s) × {replications} replication(s), "
                  f"{spec.days} days, seed {seed}, backend {backend}; store {store}")
    _compile_note()
    run = run_with_progress(spec, store, be)
    if run.interrupted:  # (the study ran in this thread and stopped)
        raise KeyboardInterrupt
    console.print(f"{run.ran} replication(s) run, {run.skipped} already stored (resumed), {run.wall_s:.1f} s")
    rec, table = svc.summary(spec.study_id, store)
    print_summary(rec, table, all_kpis)
    if export:
        for f in svc.export(spec.study_id, export, store):
            console.print(f"wrote {f}")


@app.command()
def report(
    study_ref: Annotated[str, typer.Argument(metavar="STUDY", help="Study id (or prefix), label, or 'latest'.")] = "latest",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("silkway-report"),
    store: Annotated[Path, typer.Option("--store", help=STORE_HELP)] = DEFAULT_STORE,
    invest: Annotated[Path | None, typer.Option("--invest", help="Add an investment plan: invest.json of `silkway invest --out`.")] = None,
) -> None:
    """Write a self-contained HTML report (offline: inline plots and CSS) of a stored study."""
    check_folder(out, "report folder")
    path = svc.report(study_ref, out, store, invest=invest)
    console.print(f"wrote {path}")


@app.command()
def calibrate(
    observed: Annotated[Path, typer.Option("--observed", help="CSV of observed counts (kpi,observed,unit,source,note), e.g. "
                                            "examples/observed-2023.csv in the repository.")],
    scenario: Annotated[Path | None, typer.Option("--scenario", help="Scenario to calibrate (default: the embedded dataset and demand).")] = None,
    days: Annotated[int, typer.Option("--days", help="Simulated days per evaluation (the observations are per year).")] = 365,
    replications: Annotated[int, typer.Option("--replications", "-r", help="Replications per evaluation.")] = 3,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the calibrated demand CSV.")] = Path("calibrated-demand.csv"),
) -> None:
    """Fit per-border demand volumes to observed yearly train counts and write the calibrated demand."""
    def step(it: int, factors: dict[str, float]) -> None:
        console.print(f"  iteration {it}: " + ", ".join(f"{k} ×{v:.3f}" for k, v in factors.items()))

    check_file(out)
    console.print(f"calibrating to {observed} ({replications} replications × {days} days per evaluation)")
    from silkway.interrupts import run_interruptibly

    # in a worker thread: Ctrl-C is seen at once; the demand file is written whole or not at all (atomic, Ctrl-C held)
    result, observations = run_interruptibly(lambda: svc.calibrate(observed, scenario, days=days, replications=replications, seed=seed,
                                                                   out=out, progress=step))
    t = Table(title=f"Calibration: per-border volume factors, {result.iterations} iteration(s)")
    for col in ("KPI", "observed", "simulated before", "simulated after", "error after", "factor", "flows"):
        t.add_column(col, justify="left" if col == "KPI" else "right", overflow="fold")
    before, after = result.rel_error("before"), result.rel_error("after")
    for k, v in result.observed.items():
        t.add_row(k, f"{v:,.0f}", f"{result.before[k]:,.0f} ({before[k]:+.1%})", f"{result.after[k]:,.0f}",
                  f"{after[k]:+.1%}", f"{result.factors[k]:.3f}", str(len(result.groups[k])))
    console.print(t)
    for o in observations:
        console.print(f"  {o.kpi}: source {o.source}", markup=False, highlight=False)
    from silkway.errors import ScenarioError

    if any(abs(share - 1.0) > 1e-9 for share in result.window_share.values()):  # not a year's window
        console.print(f"  simulated counts are per year: the {days}-day run's counts divided by the share of the year's TEU its "
                      "window generates (seasonality included)", markup=False, highlight=False)
    if not result.converged:
        raise ScenarioError(f"the fit did not converge within {result.tol:.1%} in {result.iterations} iteration(s) (errors above); "
                           f"{out} was not written: try more replications (-r) or a longer run (--days)")
    console.print(f"wrote {out} (demand: {result.demand.teu_per_week:,.0f} TEU/week; use it with 'demand: file:' in a scenario)")


@app.command()
def demo(
    replications: Annotated[int, typer.Option("--replications", "-r", help="Replications per scenario.")] = 20,
    seed: Annotated[int, typer.Option("--seed")] = 2023,
    workers: Annotated[int, typer.Option("--workers", help="Local worker processes.")] = 2,
    examples: Annotated[Path | None, typer.Option("--examples", help="Folder with the example scenarios (default: the ones "
                                                  "shipped with silkway).")] = None,
    store: Annotated[Path, typer.Option("--store", help=STORE_HELP)] = DEFAULT_STORE,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("silkway-report"),
) -> None:
    """The main job: headline routes, a study of baseline-2023 vs double-trade vs green-channel, the report."""
    check_file(store, "results store")
    check_folder(out, "report folder")
    svc.demo_scenarios(examples)  # before the routes: a wrong --examples fails at once
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("study replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    console.print("[bold]1. Routes for the headline pairs[/] (embedded dataset; best by time, then alternatives)", markup=True)
    routes = svc.demo_routes()
    print_routes(routes)
    console.print("\n[bold]2. Study[/]: baseline-2023 vs double-trade vs green-channel", markup=True)
    _compile_note()
    from silkway.interrupts import run_interruptibly

    with Progress(*columns, console=console) as bar:
        task = bar.add_task("study", total=None)
        try:  # in a worker thread: Ctrl-C is seen at once; the store keeps whole replications, the report is not written
            res = run_interruptibly(lambda: svc.demo(examples, replications=replications, seed=seed, store_path=store, out_dir=out,
                                                     backend=svc.backend_for(BackendKind.LOCAL, workers), routes=routes,
                                                     progress=lambda done, total: bar.update(task, completed=done, total=total)))
        except KeyboardInterrupt:
            res = None
    if res is None:
        from silkway.interrupts import announce

        console_err.print(f"{announce()}: finished replications are stored; run 'silkway demo' again to resume", highlight=False)
        raise typer.Exit(130)
    console.print(f"study {res.record.study_id}: {res.run.ran} replications run, {res.run.skipped} reused, "
                  f"{res.run.wall_s:.0f} s")
    if res.run.interrupted:  # (the study ran in this thread and stopped)
        from silkway.interrupts import announce

        console_err.print(f"{announce()}: finished replications are stored; run 'silkway demo' again to resume", highlight=False)
        raise typer.Exit(130)
    print_summary(res.record, res.table)
    console.print("\n[bold]3. Headline answers[/]", markup=True)
    console.print("[bold]How much can each corridor carry?[/] (maximum flow on the 2023 network; silkway capacity)", markup=True)
    for line in res.capacity:
        console.print(f"  - {line}", markup=False, highlight=False)
    console.print("[bold]Where does doubled trade break the corridor?[/]", markup=True)
    for line in res.breaks:
        console.print(f"  - {line}", markup=False, highlight=False)
    console.print("[bold]What does the green channel buy?[/]", markup=True)
    for line in res.buys:
        console.print(f"  - {line}", markup=False, highlight=False)
    console.print(f"\n[bold]4. Report[/]: {lit(str(res.report))}", markup=True)


def _compile_note() -> None:
    """Say so when the workers are about to compile the simulation kernel (a silent minute otherwise)."""
    from silkway.services import simulation as sim

    if sim.kernel_compiled() is False:
        console.print(sim.COMPILE_NOTE, highlight=False)


def print_routes(routes) -> None:
    """Best options per pair; 'via' lists the border crossings and ports on the way."""
    from silkway.services.network import load

    nodes = load(None).node_by_id
    t = Table()
    for col in ("from → to", "#", "corridor", "days", "P90", "USD/TEU", "kg CO2e/TEU", "via (borders, ports)"):
        t.add_column(col, justify="right" if col in ("days", "P90", "USD/TEU", "kg CO2e/TEU") else "left")
    for r in routes:
        for i, o in enumerate(r.options[:3]):
            via = [nodes[n].name for n in o.node_ids[1:-1] if n in nodes and nodes[n].node_kind in ("border", "port")]
            t.add_row(f"{nodes[r.origin].name} → {nodes[r.destination].name}" if i == 0 else "", str(i + 1), o.corridor,
                      f"{o.days_median:.1f}", f"{o.days_p90:.1f}", f"{o.cost_usd:,.0f}", f"{o.co2e_kg:,.0f}",
                      ", ".join(dict.fromkeys(via)))
    console.print(t)


def run_with_progress(spec, store: Path, backend):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("study", total=len(spec.scenarios) * spec.replications)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return svc.run(spec, store, backend, progress=update)


def print_summary(rec, table, all_kpis: bool = False) -> None:
    """The headline KPIs (every KPI with ``all_kpis``) named for people: mean [95% CI] per scenario, Δ to the baseline
    with * when significant after the correction for multiple comparisons; how it was computed below the table."""
    interval, num = svc.interval, svc.num

    names = [s["name"] for s in rec.scenarios]
    t = Table(title=f"KPIs: mean [95% CI] per scenario; Δ = difference to {names[0]}, * = significant", title_justify="left")
    t.add_column("KPI")
    t.add_column("unit")
    for i, n in enumerate(names):
        t.add_column(n if i == 0 else f"{n} (Δ)", justify="right")
    order = sorted(table["kpi"].unique(), key=lambda k: (int(table.loc[table["kpi"] == k, "group"].iloc[0]), k)) if all_kpis \
        else svc.headline_kpis(table)
    for kpi in order:
        g = table[table["kpi"] == kpi]
        first = g.iloc[0]
        cells = []
        for i, n in enumerate(names):
            r = g[g["scenario"] == n]
            if r.empty:
                cells.append("")
                continue
            r = r.iloc[0]
            unit = str(r["unit"])
            cell = f"{num(r['mean'], unit)} {interval(r['ci_low'], r['ci_high'], unit)}".strip()
            if i and not math.isnan(r["diff"]):
                cell = f"{num(r['mean'], unit)} (Δ {num(r['diff'], unit, signed=True)}{'*' if r['significant'] else ''})"
            cells.append(cell)
        t.add_row(str(first["name"]), "%" if first["unit"] == "share" else str(first["unit"]), *cells)
    console.print(t)
    hidden = table["kpi"].nunique() - len(order)
    if hidden:
        console.print(f"({hidden} more KPIs with --all, and in the report)")
    for note in svc.notes(rec, table):
        console.print(("[yellow]" if note.startswith("warning") else "[dim]") + f"{lit(note)}[/]", highlight=False, markup=True)
