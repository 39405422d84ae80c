"""silkway validate / network / export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkway import jsonsafe
from silkway.atomic import atomic_write_text, check_folder
from silkway.cli._app import AS_OF_HELP, DATASET_HELP, LazyModule, Table, app, console, lit
from silkway.errors import DataError

svc = LazyModule("silkway.services.network")

export_app = typer.Typer(help="Export the network for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@app.command()
def validate(dataset: Annotated[Path | None, typer.Argument(help=DATASET_HELP)] = None) -> None:
    """Check a dataset folder and list every problem with file, line and field."""
    label = str(dataset) if dataset else "eurasia (embedded)"
    try:
        net = svc.load(dataset)
    except DataError as exc:
        raise DataError(exc.problems, source=label) from None
    flows = svc.check_demand(dataset)
    console.print(f"[green]ok[/]: {lit(str(label))} {lit(net.manifest.version)}: {len(net.nodes)} nodes, {len(net.links)} links, "
                  f"{len(net.facilities)} facilities, {len(net.sources)} sources{'' if flows is None else f', {flows} demand flows'}; "
                  "no problems found", markup=True)


@app.command()
def network(
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    changes: Annotated[tuple[str, str] | None, typer.Option("--changes", help="List what changed between two dates "
                                                              "YYYY-MM-DD YYYY-MM-DD (rows added, removed, changed).")] = None,
) -> None:
    """Summarise the network as of a date: nodes and links by mode and country, gauge breaks, facilities."""
    if changes:
        _print_changes(dataset, *changes)
        return
    s = svc.summarize(svc.load(dataset, as_of))
    console.print(f"[bold]{lit(s.name)}[/] {lit(s.version)}: {s.n_nodes} nodes, {s.n_links} links, {s.n_facilities} facilities, "
                  f"{s.n_sources} sources + {s.n_assumptions} stated assumptions", markup=True)
    if s.as_of:
        console.print(f"as of {s.as_of} (dataset reference date {s.reference_date or 'none'}; another date: --as-of YYYY-MM-DD)",
                      highlight=False)
    t = Table(title="Links by mode")
    t.add_column("mode")
    t.add_column("links", justify="right")
    t.add_column("length_km", justify="right")
    for mode, n in s.links_by_mode.items():
        t.add_row(mode, str(n), f"{s.km_by_mode[mode]:,.0f}")
    console.print(t)
    t = Table(title="Nodes and links by country")
    t.add_column("country")
    t.add_column("nodes", justify="right")
    t.add_column("links", justify="right")
    for c in sorted(set(s.nodes_by_country) | set(s.links_by_country)):
        t.add_row(c, str(s.nodes_by_country.get(c, 0)), str(s.links_by_country.get(c, 0)))
    console.print(t)
    console.print(f"Gauge breaks (1435↔1520 transshipment): {', '.join(s.gauge_breaks) or 'none'}")
    t = Table(title="Facilities")
    for col in ("facility", "node", "kind", "trains/day", "TEU/day", "handling h", "customs h"):
        t.add_column(col, justify="right" if "/" in col or " h" in col else "left")
    for f in s.facilities:
        t.add_row(f["facility_id"], f["node"], f["kind"], *(_fmt(f[k]) for k in ("capacity_trains_day", "capacity_teu_day", "handling_h_median", "customs_h_median")))
    console.print(t)


def _print_changes(dataset: Path | None, before: str, after: str) -> None:
    found = svc.dated_changes(dataset, before, after)
    t = Table(title=f"Changes from {before} to {after}")
    for col in ("table", "id", "change", "line before", "line after"):
        t.add_column(col, overflow="fold")
    for c in found:
        what = c.what if c.what != "changed" else "; ".join(f"{f}: {svc.show_value(a)} → {svc.show_value(b)}" for f, a, b in c.fields)
        t.add_row(c.table, c.key, what, str(c.line_before or ""), str(c.line_after or ""))
    console.print(t)
    console.print(f"{len(found)} change(s)")


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:,.1f}".rstrip("0").rstrip(".")


@export_app.command("geojson")
def export_geojson(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file.")] = Path("silkway-network.geojson"),
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Write the network (nodes and links) as of a date as GeoJSON for any GIS."""
    gj = svc.to_geojson(svc.load(dataset, as_of))
    atomic_write_text(out, jsonsafe.dumps(gj, ensure_ascii=False, indent=1))
    console.print(f"wrote {out} ({len(gj['features'])} features)")


@export_app.command("gpkg")
def export_gpkg(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file.")] = Path("silkway-network.gpkg"),
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Write the network as of a date as a GeoPackage (layers nodes and links; needs pyogrio: silkway[gis])."""
    path, n = svc.to_gpkg(svc.load(dataset, as_of), out)
    console.print(f"wrote {path} ({n} features in layers nodes and links)")


@export_app.command("geoparquet")
def export_geoparquet(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (nodes.parquet, links.parquet).")] = Path("silkway-network-parquet"),
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Write the network as of a date as GeoParquet 1.1 (nodes.parquet points, links.parquet lines; WKB, WGS 84)."""
    check_folder(out, "output folder")
    files, n = svc.to_geoparquet(svc.load(dataset, as_of), out)
    console.print(f"wrote {', '.join(map(str, files))} ({n} features)")
