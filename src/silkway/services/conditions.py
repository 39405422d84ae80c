"""Route conditions for CLI, web and Python API: build the typical waits from the baseline simulation, write them with
their provenance, read them back (or a stored simulation output) as :class:`~silkway.routing.conditions.Conditions`.

``typical_waits.csv`` (shipped in the dataset folder) starts with ``# key = value`` provenance lines — the dataset
digest it was computed from, silkway version, seed, replications, days, build time, command — then one row per
(as_of, element_kind, target_id, node_id, month): trains served and their mean queue wait in hours (month 0 = the
whole year). ``dataset_digest`` hashes the dataset's own files (manifest, tables, demand), not this file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from silkway.atomic import atomic_write_text
from silkway.defaults import BUILD_COMMAND, DEFAULT_AS_OF, TYPICAL_FILE
from silkway.errors import SilkwayError
from silkway.network.dataset import DEFAULT_DATASET
from silkway.network.dataset import default_dataset_path as default_dataset_path  # re-exported for the CLI
from silkway.network.schema import MANIFEST_FILE, TABLES
from silkway.routing.conditions import FREE, Conditions, ConditionsKind, ElementKey, ElementKind, check_row, parse_kind, pooled

PathLike = str | os.PathLike[str] | None
COLUMNS = ("as_of", "element_kind", "target_id", "node_id", "month", "trains", "mean_wait_h")


def dataset_digest(dataset: PathLike = None) -> str:
    """SHA-256 (16 hex) of the dataset's own files: manifest, every table present and demand.csv."""
    folder = Path(dataset) if dataset is not None else default_dataset_path()
    h = hashlib.sha256()
    for name in sorted([MANIFEST_FILE, "demand.csv", *(t.file for t in TABLES.values())]):
        f = folder / name
        if f.is_file():
            h.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


# one row of typical_waits.csv: as_of, kind, target, node, month (0 = the year), trains, mean wait_h
WaitRow = tuple[str, str, str, str, int, int, float]


def build_typical_waits(dataset: PathLike = None, *, as_of: Sequence[str] = DEFAULT_AS_OF, replications: int = 3, seed: int = 0,
                        progress: Callable[[str], None] | None = None) -> list[WaitRow]:
    """Rows of ``typical_waits.csv``: for each as-of day, ``replications`` simulated years of the baseline (the dataset's
    demand, default options: closures included) with seeds ``seed, seed+1, …``; waits pooled over the replications."""
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
        sw = runs[-1]
        total_t, total_w = sum(x.trains for x in runs[1:]) + runs[0].trains, sum(x.wait_h for x in runs[1:]) + runs[0].wait_h
        for i, (kind, target, node) in enumerate(zip(sw.kind, sw.target, sw.node, strict=True)):
            year_t, year_w = total_t[i].sum(), total_w[i].sum()
            if year_t == 0:
                continue
            rows.append((str(day), kind, target, node, 0, int(year_t), year_w / year_t))
            for m in range(12):
                if total_t[i, m] > 0:
                    rows.append((str(day), kind, target, node, m + 1, int(total_t[i, m]), total_w[i, m] / total_t[i, m]))
    return rows


def write_typical_waits(rows: list[WaitRow], path: str | os.PathLike[str], *, dataset: PathLike, as_of: Sequence[str], replications: int,
                        seed: int, command: str) -> Path:
    from silkway import __version__

    head = {"what": "expected queue waits per train of the baseline simulation (silkway route --conditions typical)",
            "dataset": str(dataset) if dataset is not None else "embedded eurasia", "dataset_sha256": dataset_digest(dataset),
            "silkway_version": __version__, "seed": seed, "replications": replications, "days": 365, "as_of": ";".join(as_of),
            "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "command": command}
    buf = io.StringIO()
    for k, v in head.items():
        buf.write(f"# {k} = {v}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([*r[:6], f"{r[6]:.3f}"])
    return atomic_write_text(Path(path), buf.getvalue())


def read_typical_waits(path: Path) -> tuple[dict[str, str], dict[str, dict[ElementKey, list[float]]]]:
    """(provenance, {as_of: {element: 13 waits}}); a clear error naming the file, line and field otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SilkwayError(f"{path}: cannot be read: {exc}") from None
    head: dict[str, str] = {}
    lines = text.splitlines()
    body = 0
    while body < len(lines) and lines[body].startswith("#"):
        key, _, value = lines[body][1:].partition("=")
        head[key.strip()] = value.strip()
        body += 1
    reader = csv.reader(lines[body:])
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        raise SilkwayError(f"{path}, line {body + 1}: the header must be {','.join(COLUMNS)}")
    out: dict[str, dict[ElementKey, list[float]]] = {}
    for n, cells in enumerate(reader, body + 2):
        if len(cells) != len(COLUMNS):
            raise SilkwayError(f"{path}, line {n}: {len(cells)} cells, expected {len(COLUMNS)}")
        day, kind, target, node, month, _, wait = cells
        try:
            ek = ElementKind(kind)
        except ValueError:
            raise SilkwayError(f"{path}, line {n}, element_kind: '{kind[:20]}' is not one of {', '.join(k.value for k in ElementKind)}") from None
        for field, value, lo, hi in (("month", month, 0, 12), ("mean_wait_h", wait, 0, 1e5)):
            try:
                v = float(value)
            except ValueError:
                raise SilkwayError(f"{path}, line {n}, {field}: '{value[:20]}' is not a number") from None
            if not lo <= v <= hi or (field == "month" and not v.is_integer()):
                raise SilkwayError(f"{path}, line {n}, {field}: {value} is out of range ({lo}–{hi:g})")
        row = out.setdefault(day, {}).setdefault((ek, target, node), [np.nan] * 13)
        row[int(month)] = float(wait)
    return head, out


def _filled(rows: dict[ElementKey, list[float]], where: str) -> dict[ElementKey, tuple[float, ...]]:
    """Months without trains take the year's mean; an element without a year row takes the mean of its months."""
    out = {}
    for key, row in rows.items():
        year = row[0] if row[0] == row[0] else float(np.nanmean(row[1:]))
        out[key] = check_row(tuple(year if v != v else v for v in [year, *row[1:]]), where)
    return pooled(out)


def typical_conditions(dataset: PathLike = None, day: dt.date | None = None) -> Conditions:
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
    return Conditions(ConditionsKind.TYPICAL, _filled(by_day[chosen], str(path)), label, warnings)


def nearest(days: list[str], day: dt.date | None) -> str:
    """The as-of day of the waits closest to the route's day (the earliest without a day; ties: the earlier)."""
    if day is None:
        return days[0]
    return min(days, key=lambda d: (abs((dt.date.fromisoformat(d) - day).days), d))


def stale_warning(head: dict[str, str], dataset: PathLike) -> tuple[str, ...]:
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
    return Conditions(ConditionsKind.FILE, _filled(by_day[chosen], str(p)), f"file {p} (as of {chosen})")


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


def resolve_conditions(spec: str | os.PathLike[str] | Conditions | None, dataset: PathLike = None, day: dt.date | None = None,
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
