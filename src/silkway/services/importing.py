"""Import use cases: an OpenStreetMap extract or a GeoJSON layer → a dataset folder that passes validation, with
TODO.md listing what no map holds (capacities, facilities, demand) and which defaults stand in (docs/import.md)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from silkway.atomic import atomic_write_text
from silkway.errors import DataError, Problem, SilkwayError
from silkway.importers import tags as T
from silkway.importers.build import Built, Origin, Reference, build
from silkway.importers.graph import border_crossings, contract, largest_component
from silkway.network.cache import default_cache
from silkway.network.dataset import read_dataset, read_dated_dataset, write_dataset
from silkway.network.model import CostRate, EmissionFactor, Param
from silkway.network.schema import REQUIRED_PARAMS

TODO_FILE = "TODO.md"
_ISO2 = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class ImportOptions:
    out: Path
    name: str | None = None
    country: str | None = None  # for nodes no boundary places
    default_gauge: int | None = None  # for ways without a gauge tag
    date: str | None = None  # the extract's date when the file does not say
    snap_km: float = 0.5
    force: bool = False  # write into a folder that is not empty
    speeds: T.SpeedRules = field(default_factory=T.SpeedRules)


@dataclass(frozen=True)
class ImportReport:
    folder: Path
    n_nodes: int
    n_links: int
    n_facilities: int
    total_km: float
    todo: tuple[str, ...]
    assumed: tuple[str, ...]
    left_out: tuple[str, ...]
    problems: tuple[Problem, ...]  # what `silkway validate` finds in the result (empty when it passes)


def import_osm(file: str | os.PathLike[str], options: ImportOptions) -> ImportReport:
    from silkway.importers.osm import read_osm

    _check(options)
    raw = read_osm(file, options.default_gauge, options.snap_km, options.speeds)
    day = options.date or raw.date
    if not day:
        raise SilkwayError(f"{file}: the extract does not say its date (no replication timestamp, no object timestamps): give --date YYYY-MM-DD")
    pieces, notes = border_crossings(raw.vertices, raw.pieces)
    result = largest_component(contract(raw.vertices, pieces))
    name = Path(file).name
    origin = Origin(f"S-osm-{day}", "OpenStreetMap contributors", f"OpenStreetMap extract {name}", day, name,
                    "rail (railway=rail), stations and border points; ODbL 1.0, (c) OpenStreetMap contributors", "ODbL-1.0",
                    options.name or _stem(name))
    built = build(result, raw.boundaries, origin, _reference(), options.speeds, options.country)
    return _write(built, options, [*raw.notes, *notes])


def import_geojson(file: str | os.PathLike[str], options: ImportOptions) -> ImportReport:
    from silkway.importers.geojson import read_geojson

    _check(options)
    vertices, pieces = read_geojson(file, options.default_gauge, options.snap_km, options.speeds)
    path = Path(file)
    day = options.date or datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    origin = Origin(f"S-geojson-{day}", "the GeoJSON layer's author", f"GeoJSON layer {path.name}", day, path.name,
                    "links drawn in a GIS, imported by silkway import geojson", "see the layer's licence", options.name or _stem(path.name))
    result = largest_component(contract(vertices, pieces))
    built = build(result, [], origin, _reference(), options.speeds, options.country)
    return _write(built, options, [])


def _stem(name: str) -> str:
    return re.sub(r"(\.osm)?\.(pbf|osm|geojson|json)$", "", name) or "imported"


def _check(options: ImportOptions) -> None:
    if options.country is not None and not _ISO2.fullmatch(options.country):
        raise SilkwayError(f"--country '{options.country[:20]}' is not an ISO 3166-1 alpha-2 code in capitals (e.g. KZ)")
    if options.default_gauge is not None and options.default_gauge not in (1435, 1520):
        raise SilkwayError(f"--default-gauge {options.default_gauge} is not 1435 or 1520")
    if options.date is not None:
        try:
            date.fromisoformat(options.date)
        except ValueError:
            raise SilkwayError(f"--date '{options.date[:20]}' is not a date as YYYY-MM-DD") from None
    out = options.out
    if out.exists() and not out.is_dir():
        raise SilkwayError(f"--out {out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not options.force:
        raise SilkwayError(f"--out {out}: the folder is not empty (give --force to write into it)")


def _reference() -> Reference:
    """Emission factors, cost rates and the required parameters of the embedded dataset, with the sources they cite."""
    net = read_dataset(None)
    params = tuple(p for p in net.params if p.param in REQUIRED_PARAMS)
    rows: tuple[EmissionFactor | CostRate | Param, ...] = (*[e for e in net.emission_factors if e.mode == "rail"], *[r for r in net.cost_rates if r.mode == "rail"], *params)
    cited = {sid for r in rows for _col, ids in r.src for sid in ids}
    return Reference(net.emission_factors, net.cost_rates, params, tuple(s for s in net.sources if s.source_id in cited),
                     f"silkway's embedded eurasia dataset {net.manifest.version}")


def _write(built: Built, options: ImportOptions, notes: list[str]) -> ImportReport:
    folder = write_dataset(built.network, options.out)
    left_out = [*notes, *built.left_out]
    atomic_write_text(folder / TODO_FILE, todo_markdown(built, left_out))
    try:
        read_dated_dataset(folder, cache=default_cache())  # validated as `silkway validate` does; a valid result is cached
        problems: tuple[Problem, ...] = ()
    except DataError as exc:
        problems = exc.problems
    net = built.network
    return ImportReport(folder, len(net.nodes), len(net.links), len(net.facilities), sum(lk.distance_km for lk in net.links),
                        tuple(built.todo), tuple(built.assumed), tuple(left_out), problems)


def todo_markdown(built: Built, left_out: list[str]) -> str:
    m = built.network.manifest
    lines = [f"# {m.name}: what to fill in before trusting results", "", m.description, "",
             "## Not in the map: fill these", "", *(f"- {t}" for t in built.todo), "",
             "## Assumed where the map is silent (each value's source column names the assumption; replace with sources)", "",
             *(f"- {a}" for a in built.assumed or ["nothing"]), "", "## Left out", "", *(f"- {x}" for x in left_out or ["nothing"]), ""]
    return "\n".join(lines)
