"""silkway import osm / geojson."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from silkway.cli._app import LazyModule, app, console, lit
from silkway.errors import DataError

if TYPE_CHECKING:
    from silkway.services.importing import ImportReport

svc = LazyModule("silkway.services.importing")

import_app = typer.Typer(help="Build a dataset folder from an OpenStreetMap extract or a GIS layer.", no_args_is_help=True)
app.add_typer(import_app, name="import")

Out = Annotated[Path, typer.Option("--out", "-o", help="Dataset folder to write (must be empty unless --force).")]
Name = Annotated[str | None, typer.Option("--name", help="Dataset name (default: the file's name).")]
Country = Annotated[str | None, typer.Option("--country", help="ISO2 country of nodes that no boundary in the input places.")]
Gauge = Annotated[int | None, typer.Option("--default-gauge", help="Gauge in mm (1435 or 1520) of track without a gauge tag.")]
Date = Annotated[str | None, typer.Option("--date", help="Date of the input YYYY-MM-DD when the file does not say.")]
Snap = Annotated[float, typer.Option("--snap-km", help="Join a station or line end to track within this distance, km.")]
Force = Annotated[bool, typer.Option("--force", help="Write into a folder that is not empty.")]


@import_app.command("osm")
def import_osm(file: Annotated[Path, typer.Argument(help="OpenStreetMap extract (.osm.pbf or .osm).")], out: Out, name: Name = None,
               country: Country = None, default_gauge: Gauge = None, date: Date = None, snap_km: Snap = 0.5, force: Force = False) -> None:
    """Import railway=rail ways, stations and border points, contracted between junctions, stations and borders."""
    _show(svc.import_osm(file, svc.ImportOptions(out, name, country, default_gauge, date, snap_km, force)))


@import_app.command("geojson")
def import_geojson(file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection: LineStrings (links), Points (places).")],
                   out: Out, name: Name = None, country: Country = None, default_gauge: Gauge = None, date: Date = None,
                   snap_km: Snap = 0.5, force: Force = False) -> None:
    """Import links drawn in a GIS; nodes are the Points, or inferred where lines end."""
    _show(svc.import_geojson(file, svc.ImportOptions(out, name, country, default_gauge, date, snap_km, force)))


def _show(r: ImportReport) -> None:
    console.print(f"wrote {r.folder}: {r.n_nodes} nodes, {r.n_links} links ({r.total_km:,.1f} km), {r.n_facilities} facilities",
                  highlight=False, soft_wrap=True)
    console.print("[bold]To fill in[/] (also in TODO.md):", markup=True)
    for t in r.todo:
        console.print(f"  - {t}", markup=False, highlight=False, soft_wrap=True)
    console.print("[bold]Assumed[/] where the map is silent:", markup=True)
    for a in r.assumed or ["nothing"]:
        console.print(f"  - {a}", markup=False, highlight=False, soft_wrap=True)
    for x in r.left_out:
        console.print(f"  - left out: {x}", markup=False, highlight=False, soft_wrap=True)
    if r.problems:
        raise DataError(r.problems, source=f"{r.folder} (imported, does not validate)")
    console.print(f"[green]ok[/]: {lit(str(r.folder))} passes silkway validate", soft_wrap=True, markup=True)
