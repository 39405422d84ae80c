"""Route conditions for CLI, web and Python API: build the typical waits from the baseline simulation, write them with
their provenance, read them back (or a stored simulation output) as :class:`~silkway.routing.conditions.Conditions`.

``typical_waits.csv`` (shipped in the dataset folder) starts with ``# key = value`` provenance lines — the dataset
digest it was computed from, silkway version, seed, replications, days, build time, command — then one row per
(as_of, element_kind, target_id, node_id, month): trains served (containers for an ``origin`` row), their mean queue
wait in hours and its quantiles (min, P10, P25, P50, P75, P90, P95, P99, max: the planner samples the waits from them)
(month 0 = the whole year). An ``origin`` row is the wait of a container at its origin node for its train to leave
(target = the destination node of the flow, ``*`` = every flow from that origin). ``dataset_digest`` hashes the
dataset's own files (manifest, tables, demand), not this file. A file with the first seven columns only (means) is
read too: its waits are constants.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from silkway import safe_io
from silkway.atomic import atomic_write_text
from silkway.defaults import BUILD_COMMAND, DEFAULT_AS_OF, TYPICAL_FILE
from silkway.errors import SilkwayError
from silkway.network.dataset import DEFAULT_DATASET
from silkway.network.dataset import default_dataset_path as default_dataset_path  # re-exported for the CLI
from silkway.network.schema import MANIFEST_FILE, TABLES
from silkway.routing.conditions import (
    ALL_DESTINATIONS,
    FREE,
    QUANTILE_LEVELS,
    Conditions,
    ConditionsKind,
    ElementKey,
    ElementKind,
    check_row,
    parse_kind,
    pooled,
)
from silkway.services._paths import OptPath

MEAN_COLUMNS = ("as_of", "element_kind", "target_id", "node_id", "month", "trains", "mean_wait_h")
QUANTILE_COLUMNS = ("min_wait_h", "p10_wait_h", "p25_wait_h", "p50_wait_h", "p75_wait_h", "p90_wait_h", "p95_wait_h", "p99_wait_h",
                    "max_wait_h")
COLUMNS = MEAN_COLUMNS + QUANTILE_COLUMNS
assert len(QUANTILE_COLUMNS) == len(QUANTILE_LEVELS)


def dataset_digest(dataset: OptPath = None) -> str:
    """SHA-256 (16 hex) of the dataset's own files: manifest, every table present and demand.csv."""
    folder = Path(dataset) if dataset is not None else default_dataset_path()
    h = hashlib.sha256()
    for name in sorted([MANIFEST_FILE, "demand.csv", *(t.file for t in TABLES.values())]):
        f = folder / name
        if f.is_file():
            h.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


# one row of typical_waits.csv: as_of, kind, target, node, month (0 = the year), trains, mean wait_h
if TYPE_CHECKING:
    from silkway.simulation.waits import StationWaits

WaitRow = tuple[Any, ...]  # (as_of, kind, target, node, month, trains, mean_h, quantiles...)


def build_typical_waits(dataset: OptPath = None, *, as_of: Sequence[str] = DEFAULT_AS_OF, replications: int = 3, seed: int = 0,
                        progress: Callable[[str], None] | None = None) -> list[WaitRow]:
    """Rows of ``typical_waits.csv``: for each as-of day, ``replications`` simulated years of the baseline (the dataset's
    demand, default options: closures included) with seeds ``seed, seed+1, …``; waits pooled over the replications.
    Station rows: the per-train waits (to the hour, ``simulation/waits.py``) of the month or year; origin rows: the
    per-container waits from ready to the train's departure, per flow (origin, destination) and per origin (``*``)."""
    from silkway.services.simulation import load_inputs
    from silkway.simulation.waits import monthly_station_waits

    if replications < 1:
        raise SilkwayError("replications must be at least 1")
    rows: list[WaitRow] = []
    for day in as_of:
        net, demand = load_inputs(dataset, None, day)
        runs = []
        for r in range(replications):
            if progress:
                progress(f"as of {day}: replication {r + 1}/{replications} (seed {seed + r})")
            runs.append(monthly_station_waits(net, demand, seed=seed + r))
        sw = runs[0]
        h_trains = np.concatenate([x.hour_trains for x in runs])
        h_wait = np.concatenate([x.hour_wait_h for x in runs])
        h_month = np.concatenate([x.hour_month for x in runs])
        h_mean = np.divide(h_wait, h_trains, out=np.zeros_like(h_wait), where=h_trains > 0)
        for i, (kind, target, node) in enumerate(zip(sw.kind, sw.target, sw.node, strict=True)):
            rows += _element_rows(str(day), kind, target, node, h_mean[:, i], h_trains[:, i], h_month)
        rows += _origin_rows(str(day), runs)
    return rows


def _element_rows(day: str, kind: str, target: str, node: str, values: np.ndarray, weights: np.ndarray, month: np.ndarray) -> list[WaitRow]:
    """The year row (month 0) and a row per month with trains: count, mean and quantiles of the waits."""
    from silkway.simulation.waits import weighted_quantiles

    out: list[WaitRow] = []
    levels = np.asarray(QUANTILE_LEVELS)
    for m in range(13):
        sel = weights > 0 if m == 0 else (weights > 0) & (month == m)
        n = weights[sel].sum()
        if n == 0:
            if m == 0:
                return out
            continue
        q = weighted_quantiles(values[sel], weights[sel], levels)
        out.append((day, kind, target, node, m, int(round(n)), float((values[sel] * weights[sel]).sum() / n), *map(float, q)))
    return out


def _origin_rows(day: str, runs: list[StationWaits]) -> list[WaitRow]:
    """Origin waits per flow (origin, destination) and per origin (``*``), pooled over the replications."""
    pairs = sorted({p for x in runs for p in x.flows})
    origin, dest, month, wait = [], [], [], []
    for x in runs:
        origin.append(np.array([x.flows[f][0] for f in x.origin_flow], dtype=object))
        dest.append(np.array([x.flows[f][1] for f in x.origin_flow], dtype=object))
        month.append(x.origin_month)
        wait.append(x.origin_wait_h)
    o, d, m, w = (np.concatenate(a) if a else np.empty(0) for a in (origin, dest, month, wait))
    ones = np.ones(len(w))
    out = []
    for node in sorted({p[0] for p in pairs}):
        at = o == node
        out += _element_rows(day, ElementKind.ORIGIN.value, ALL_DESTINATIONS, node, w[at], ones[at], m[at])
        for dest_id in sorted({p[1] for p in pairs if p[0] == node}):
            sel = at & (d == dest_id)
            out += _element_rows(day, ElementKind.ORIGIN.value, dest_id, node, w[sel], ones[sel], m[sel])
    return out


def write_typical_waits(rows: list[WaitRow], path: str | os.PathLike[str], *, dataset: OptPath, as_of: Sequence[str], replications: int,
                        seed: int, command: str) -> Path:
    from silkway import __version__

    head = {"what": "queue waits per train (mean and quantiles) and origin waits per container of the baseline simulation (silkway route --conditions typical)",
            "dataset": str(dataset) if dataset is not None else "embedded eurasia", "dataset_sha256": dataset_digest(dataset),
            "silkway_version": __version__, "seed": seed, "replications": replications, "days": 365, "as_of": ";".join(as_of),
            "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "command": command}
    buf = io.StringIO()
    for k, v in head.items():
        buf.write(f"# {k} = {v}\n")
    w = csv.writer(buf, lineterminator="\n")
    means_only = all(len(r) == len(MEAN_COLUMNS) for r in rows)  # rows without quantiles: the means-only format
    if not means_only and any(len(r) != len(COLUMNS) for r in rows):
        raise SilkwayError(f"typical waits: every row needs the {len(COLUMNS)} values {', '.join(COLUMNS)} (or all rows the first {len(MEAN_COLUMNS)})")
    w.writerow(MEAN_COLUMNS if means_only else COLUMNS)
    for r in rows:
        w.writerow([*r[:6], *(f"{v:.3f}" for v in r[6:])])
    return atomic_write_text(Path(path), buf.getvalue())


DayWaits = dict[ElementKey, tuple[list[float], list[tuple[float, ...] | None]]]
Parsed = dict[str, DayWaits]


def read_typical_waits(path: Path) -> tuple[dict[str, str], Mapping[str, DayWaits]]:
    """(provenance, {as_of: {element: (13 mean waits, 13 quantile rows or None)}}); a clear error naming the file, line
    and field otherwise. The quantile columns are optional (a means-only file: constant waits). A file that parsed
    before is read from its parsed copy in the dataset cache (``services/waits_cache.py``: the same values)."""
    from silkway.services import waits_cache

    try:  # a regular file, capped (silkway.safe_io)
        text = safe_io.read_text(path, "table")
    except safe_io.UnsafeFile as exc:
        raise SilkwayError(f"{path}: cannot be read: {exc.reason}") from None
    return waits_cache.cached(text.encode("utf-8"), lambda: parse_typical_waits(path, text))


def parse_typical_waits(path: Path, text: str) -> tuple[dict[str, str], Parsed]:
    """:func:`read_typical_waits` of the file's ``text``, parsed and checked row by row (no cache)."""
    head: dict[str, str] = {}
    lines = text.splitlines()
    body = 0
    while body < len(lines) and lines[body].startswith("#"):
        key, _, value = lines[body][1:].partition("=")
        head[key.strip()] = value.strip()
        body += 1
    reader = csv.reader(lines[body:])
    header = next(reader, None)
    if header is None or tuple(header) not in (COLUMNS, MEAN_COLUMNS):
        raise SilkwayError(f"{path}, line {body + 1}: the header must be {','.join(COLUMNS)} (or its first {len(MEAN_COLUMNS)} columns)")
    width = len(header)
    out: Parsed = {}
    for n, cells in enumerate(reader, body + 2):
        if len(cells) != width:
            raise SilkwayError(f"{path}, line {n}: {len(cells)} cells, expected {width}")
        day, kind, target, node, month = cells[:5]
        try:
            ek = ElementKind(kind)
        except ValueError:
            raise SilkwayError(f"{path}, line {n}, element_kind: '{kind[:20]}' is not one of {', '.join(k.value for k in ElementKind)}") from None
        values = []
        for field, value, lo, hi in (("month", month, 0, 12), *((c, v, 0, 1e5) for c, v in zip(header[6:], cells[6:], strict=True))):
            try:
                v = float(value)
            except ValueError:
                raise SilkwayError(f"{path}, line {n}, {field}: '{value[:20]}' is not a number") from None
            if not lo <= v <= hi or (field == "month" and not v.is_integer()):
                raise SilkwayError(f"{path}, line {n}, {field}: {value} is out of range ({lo}–{hi:g})")
            values.append(v)
        quantiles = tuple(values[2:]) or None
        if quantiles is not None and any(b < a for a, b in zip(quantiles, quantiles[1:], strict=False)):
            raise SilkwayError(f"{path}, line {n}: the quantiles {', '.join(QUANTILE_COLUMNS)} must not decrease")
        means, dists = out.setdefault(day, {}).setdefault((ek, target, node), ([np.nan] * 13, [None] * 13))
        means[int(month)] = values[1]
        dists[int(month)] = quantiles
    return head, out


def _filled(rows: dict[ElementKey, tuple[list[float], list[tuple[float, ...] | None]]], where: str) -> Conditions:
    """Months without trains take the year's waits; an element without a year row takes the mean of its months (and no
    distribution: a constant). Returns the waits as a Conditions (kind and label set by the caller)."""
    waits, dists = {}, {}
    for key, (row, drow) in rows.items():
        has_year = row[0] == row[0]
        year = row[0] if has_year else float(np.nanmean(row[1:]))
        ydist = drow[0] if has_year else None
        waits[key] = check_row(tuple(year if v != v else v for v in [year, *row[1:]]), where)
        dists[key] = tuple(ydist if v != v else d for v, d in zip([year, *row[1:]], [ydist, *drow[1:]], strict=True))
    return Conditions(waits=pooled(waits), dists=pooled(dists))


def typical_conditions(dataset: OptPath = None, day: dt.date | None = None) -> Conditions:
    """The typical waits shipped with ``dataset`` (embedded when None) for the as-of day closest to ``day`` (the earliest
    without a day); with a warning when the dataset changed since they were built, or FREE with a warning when absent."""
    folder = Path(dataset) if dataset is not None else default_dataset_path()
    path = folder / TYPICAL_FILE
    regen = f"{BUILD_COMMAND}" + (f" --dataset {folder}" if dataset is not None else "")
    if not path.is_file():
        return Conditions(ConditionsKind.FREE, {}, f"free (no {TYPICAL_FILE} in the dataset folder: run '{regen}' to compute typical waits)",
                          (f"no typical waits for this dataset: run '{regen}'",))
    head, by_day = read_typical_waits(path)
    days = sorted(by_day)
    if not days:
        return Conditions(ConditionsKind.FREE, {}, f"free ({path.name} has no rows)", (f"{path.name} has no rows: run '{regen}'",))
    chosen = nearest(days, day)
    warnings = stale_warning(head, folder if dataset is not None else None)
    label = (f"typical (expected waits of the baseline simulation as of {chosen}: {head.get('replications', '?')} replications, "
             f"seed {head.get('seed', '?')}, silkway {head.get('silkway_version', '?')})")
    return replace(_filled(by_day[chosen], str(path)), kind=ConditionsKind.TYPICAL, label=label, warnings=warnings)


def nearest(days: list[str], day: dt.date | None) -> str:
    """The as-of day of the waits closest to the route's day (the earliest without a day; ties: the earlier)."""
    if day is None:
        return days[0]
    return min(days, key=lambda d: (abs((dt.date.fromisoformat(d) - day).days), d))


def stale_warning(head: dict[str, str], dataset: OptPath) -> tuple[str, ...]:
    """A warning when the dataset's digest differs from the one the waits were computed from."""
    now = dataset_digest(dataset)
    built = head.get("dataset_sha256")
    if built == now:
        return ()
    regen = BUILD_COMMAND + (f" --dataset {dataset}" if dataset is not None else "")
    return (f"the dataset changed since the typical waits were computed (digest {built} then, {now} now): "
            f"run '{regen}' to regenerate them",)


def file_conditions(path: str | os.PathLike[str], day: dt.date | None = None) -> Conditions:
    """Waits from a file: a ``typical_waits.csv``-format CSV, a simulation's ``stations.parquet`` (``silkway simulate
    --out DIR`` writes it: mean waits of the whole run, no months) or such a DIR."""
    p = Path(path)
    if p.is_dir():
        p = p / "stations.parquet"
    if not p.is_file():
        raise SilkwayError(f"conditions '{path}': not 'free', 'typical', a waits CSV, a stations.parquet or a simulation output folder")
    if p.suffix == ".parquet":
        return _parquet_conditions(p)
    head, by_day = read_typical_waits(p)
    days = sorted(by_day)
    if not days:
        raise SilkwayError(f"{p}: no rows")
    chosen = nearest(days, day)
    return replace(_filled(by_day[chosen], str(p)), kind=ConditionsKind.FILE, label=f"file {p} (as of {chosen})")


def _parquet_conditions(p: Path) -> Conditions:
    import pandas as pd

    try:
        st = pd.read_parquet(p)
    except Exception as exc:
        raise SilkwayError(f"{p}: cannot be read as Parquet: {exc}") from None
    need = {"station_id", "kind", "node_id", "trains", "mean_wait_h"}
    if not need <= set(st.columns):
        raise SilkwayError(f"{p}: not a simulation stations table (needs columns {', '.join(sorted(need))})")
    waits: dict[ElementKey, tuple[float, ...]] = {}
    for sid, kind, node, trains, wait in zip(st.station_id, st.kind, st.node_id, st.trains, st.mean_wait_h, strict=True):
        if trains > 0 and kind in ElementKind.__members__.values():
            target = str(sid).split(":")[0]
            waits[(ElementKind(kind), target, str(node))] = check_row((float(wait),) * 13, str(p))
    return Conditions(ConditionsKind.FILE, pooled(waits), f"file {p} (mean waits of that run, the same in every month)")


def resolve_conditions(spec: str | os.PathLike[str] | Conditions | None, dataset: OptPath = None, day: dt.date | None = None,
                       network_name: str | None = None) -> Conditions:
    """``free``, ``typical`` (default), a file or folder, or a :class:`Conditions` as given. Without a dataset folder,
    ``typical`` means the waits shipped with the embedded dataset: for a network of another name (``network_name``, its
    manifest's) that is free conditions with a warning, not another network's waits."""
    if isinstance(spec, Conditions):
        return spec
    if spec is None:
        spec = "typical"
    kind = parse_kind(str(spec)) if isinstance(spec, str) else None
    if kind is ConditionsKind.FREE:
        return FREE
    if kind is ConditionsKind.TYPICAL:
        if dataset is None and network_name not in (None, DEFAULT_DATASET):
            why = (f"typical waits come with a dataset folder: network '{network_name}' is not the embedded dataset; "
                   "pass its folder (--dataset) or a waits file as conditions")
            return Conditions(ConditionsKind.FREE, {}, f"free ({why})", (why,))
        return typical_conditions(dataset, day)
    return file_conditions(spec, day)
