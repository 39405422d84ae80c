"""silkway route."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from silkway import jsonsafe
from silkway.cli._app import DATASET_HELP, LazyModule, app, console, console_err, lit, skip_numba_blas_probe
from silkway.cli._plain_table import PlainTable, print_table
from silkway.errors import RoutingError
from silkway.vocabulary import Objective

if TYPE_CHECKING:
    from silkway.routing import RouteOption, RouteResult

svc = LazyModule("silkway.services.routing")  # the routing stack loads when a command runs, not for --help


def _split(values: list[str] | None) -> list[str]:
    """Repeated options and comma-separated lists both work: ``--avoid RU --avoid ferry`` = ``--avoid RU,ferry``."""
    return [v.strip() for item in values or [] for v in item.split(",")]  # an empty value is refused, not dropped


@app.command()
def route(
    origin: Annotated[str, typer.Argument(help="Where the cargo starts (tolerant name: Xi'an, xian, Khorgos...).")],
    destination: Annotated[str, typer.Argument(help="Where it goes.")],
    teu: Annotated[float, typer.Option("--teu", help="Shipment size in TEU (cost and CO2e scale with it).")] = 1.0,
    depart: Annotated[str | None, typer.Option("--depart", help="Departure date YYYY-MM-DD[THH:MM] (default: a Monday 00:00).")] = None,
    avoid: Annotated[list[str] | None, typer.Option("--avoid", help="Country code, place or mode to avoid; repeat or comma-separate.")] = None,
    via: Annotated[list[str] | None, typer.Option("--via", help="Place the route must pass, in order; repeatable.")] = None,
    max_transfers: Annotated[int | None, typer.Option("--max-transfers", help="At most K transshipments (gauge or mode changes).")] = None,
    objective: Annotated[Objective, typer.Option("--objective", help="Rank options by time (the median), p90, cost or co2e, as displayed.",
                                                 case_sensitive=False)] = Objective.TIME,
    alternatives: Annotated[int, typer.Option("--alternatives", help="Up to K options, one per corridor.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    as_geojson: Annotated[bool, typer.Option("--geojson", help="Print the options' geometry as GeoJSON.")] = False,
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The network as of this date YYYY-MM-DD (default: the departure "
                                              "day, else the dataset's reference date).")] = None,
    conditions: Annotated[str, typer.Option("--conditions", help="typical (expected waits of the baseline simulation, shipped with "
                                            "the dataset), free (no queues: the express time), or a waits CSV / simulation output "
                                            "folder / stations.parquet.")] = "typical",
) -> None:
    """Plan a shipment: corridor options (days median/P90, cost, CO2e) and the legs of the best one."""
    if as_json and as_geojson:
        raise RoutingError("choose one of --json and --geojson")
    # the kernels need no BLAS: numba's probe would import scipy (≈ 0.4 s); only when numba loads at all (no fresh
    # ahead-of-time build of the kernels: silkway.routing.aot)
    svc.before_jit(skip_numba_blas_probe)
    router = svc.router_for(dataset, as_of=as_of, depart=depart, places=(origin, destination))  # a misspelt place fails first
    result = svc.plan_route(origin, destination, dataset=dataset, router=router, conditions=conditions, as_of=as_of, teu=teu,
                            depart=depart, avoid=_split(avoid), via=_split(via), max_transfers=max_transfers, objective=objective,
                            alternatives=alternatives)
    for w in result.conditions.warnings:
        console_err.print(f"[yellow]warning:[/] {lit(w)}", highlight=False, soft_wrap=True, markup=True)
    day = svc.network_day(router, as_of=as_of, depart=depart)
    if as_json:
        typer.echo(jsonsafe.dumps({**svc.to_dict(result), "network_as_of": day}, ensure_ascii=False, indent=1))
    elif as_geojson:
        typer.echo(jsonsafe.dumps(svc.to_geojson(result, router.net), ensure_ascii=False, indent=1))
    else:
        _print(result, router.net.node_by_id)
        if day:
            console.print(f"[dim]network as of {day} (--as-of; default: the departure day, else the dataset's reference date)[/]",
                          highlight=False, markup=True)


class _Names:
    """Node id → name, looked up one id at a time (a dict of every node built a million records at 1M nodes: 22 s)."""

    def __init__(self, nodes) -> None:
        self._nodes = nodes

    def __getitem__(self, node_id: str) -> str:
        return str(self._nodes[node_id].name)


def _print(result: RouteResult, nodes) -> None:
    name = _Names(nodes)
    # the via summary of each option is the table's caption (a column would squeeze every figure on 80 columns)
    via = "\n".join(f"{i} via {o.via_summary or '(no border, gauge change or water leg)'}" for i, o in enumerate(result.options, 1))
    t = PlainTable(title=f"{name[result.origin]} → {name[result.destination]}, {result.teu:g} TEU, best by {_ranked_by(result.objective)}, "
                    f"{result.conditions.kind.value} conditions", caption=via, caption_justify="left")
    for col in ("#", "corridor", "days median", "days P90", "cost USD", "CO2e kg", "transfers", "km", "Pareto"):
        t.add_column(col, justify="left" if col == "corridor" else "right", no_wrap=col == "corridor")
    for i, o in enumerate(result.options, 1):
        t.add_row(str(i), o.corridor, *(_fig(o, obj) for obj in Objective), str(o.transfers), f"{o.distance_km:,.0f}",
                  "yes" if o.pareto else "")
    print_table(console, t)
    console.print(" → ".join(name[n] for n in result.best.node_ids), highlight=False)
    if result.depart:
        console.print(f"departs {result.depart}; arrives {result.arrival(result.best)} (median), "
                      f"{result.arrival(result.best, 'p90')} (P90)", highlight=False)
    print_table(console, _legs_table(result.best, name))
    for line in reconciliation_lines(result.best):
        console.print(line, highlight=False)
    h = result.best.hours_by_kind()
    console.print(f"moving {h['move']:.1f} h, waiting for departures {h['wait']:.1f} h, handling {h['handling']:.1f} h, "
                  f"customs {h['customs']:.1f} h, expected queue waits {h['queue']:.1f} h; {len(result.pareto)} route(s) in the Pareto set",
                  highlight=False)
    if not result.constraints.get("corridor_rules", True):
        console.print("[yellow]note:[/] no route obeys the corridor rules (no country re-entered, no sea crossed twice) here; "
                      "they were relaxed", highlight=False, markup=True)
    console.print(f"conditions: {result.conditions.label}", highlight=False)
    console.print(f"[dim]{lit(result.method)}[/]", highlight=False, markup=True)


def _ranked_by(objective: Objective) -> str:
    return {Objective.TIME: "time (median)", Objective.P90: "P90"}.get(objective, objective.value)


def _fig(o: RouteOption, objective: Objective) -> str:
    """A displayed figure, formatted with the rounding the ranking uses (silkway.routing.objectives.shown)."""
    value = svc.shown(getattr(o, svc.FIELD[objective]), objective)
    return f"{value:.1f}" if objective in (Objective.TIME, Objective.P90) else f"{value:,.0f}"


def reconciliation_lines(o: RouteOption) -> list[str]:
    """The legs' total and the median, with the two parts of the difference, in days."""
    return [f"legs' total (every step at its median) {o.days_nominal:.1f} d",
            f"  of which expected waits at facilities, borders and quays (queue legs) {o.expected_wait_days:.1f} d",
            f"  {o.gap_variability_days:+.1f} d variability of the steps (skewed: their sampled sum has a higher median)",
            f"  {o.gap_timetable_days:+.1f} d timetable waits recomputed for each sampled arrival",
            f"  = median door to door {o.days_median:.1f} d (P90 {o.days_p90:.1f} d)"]


def _legs_table(best: RouteOption, name: _Names) -> PlainTable:
    t = PlainTable(title=f"Legs of option 1 ({best.corridor})", caption="queue = expected wait (typical conditions); waits under 0.05 h "
              "are not listed", caption_justify="left")
    for col in ("day", "step", "where", "what", "hours", "cost USD", "CO2e kg"):
        t.add_column(col, justify="right" if col in ("day", "hours", "cost USD", "CO2e kg") else "left")
    for leg in best.legs:
        if leg.kind == "queue" and leg.hours < 0.05:
            continue  # shown as 0.0: counted in the reconciliation's expected-waits line, not listed
        where = f"{name[leg.from_node]} → {name[leg.to_node]}" if leg.kind == "move" else name[leg.from_node]
        gauge = f" {leg.platform[4:]} mm" if leg.platform and leg.platform.startswith("rail") else ""
        what = {"move": f"{leg.mode}{gauge}, {leg.distance_km:,.0f} km", "wait": f"next departure on {leg.link_id}",
                "queue": f"expected wait for {leg.facility_id or leg.link_id or 'the train to leave (origin)'}"}.get(leg.kind, leg.facility_id or "")
        t.add_row(f"{leg.start_h / 24:.1f}", leg.kind, where, what.strip(), f"{leg.hours:.1f}", f"{leg.cost_usd:,.0f}", f"{leg.co2e_kg:,.1f}")
    return t
