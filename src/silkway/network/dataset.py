"""Read and write a dataset folder: the only file I/O of the network package.

``read_dataset`` parses every table, runs every validation rule and raises one :class:`DataError`
listing all problems; it never returns a half-valid network.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tomllib
from dataclasses import replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkway.atomic import atomic_write_text
from silkway.errors import DataError, Problem
from silkway.network.cache import LAZY_ROWS, DatasetCache, LazyRecords, inputs_key
from silkway.network.model import RECORD_TYPES, Manifest, Network
from silkway.network.parse import ParsedTable, Row, decode, parse_date, parse_table_full, show
from silkway.network.parse_bulk import parse_table_bulk
from silkway.network.schema import MANIFEST_FILE, MANIFEST_KEYS, NON_EMPTY_TABLES, TABLES, Table
from silkway.progress import PROGRESS
from silkway.safe_io import UnsafeFile, read_bytes

if TYPE_CHECKING:  # the validation rules (and numpy) load when a dataset is read and checked, not on a cache hit
    from silkway.network.validate import Unparsed

OPTIONAL_TABLES = ("closures", "background", "acceptance")
DEFAULT_DATASET = "eurasia"
PROGRESS_MB = 20.0  # input files from this size on take seconds to validate (1M nodes: 200 MB, ≈ 9 s): said so
_TOML_LINE = re.compile(r"at line (\d+)")


def default_dataset_path() -> Path:
    """Folder of the embedded default dataset (inside the installed package)."""
    return Path(str(resources.files("silkway") / "data" / DEFAULT_DATASET))


def read_dataset(path: str | os.PathLike[str] | None = None, as_of: date | str | None = None) -> Network:
    """Load and validate a dataset folder (the embedded ``eurasia`` dataset when ``path`` is None) and return
    the network as of ``as_of`` (default: the manifest's ``reference_date``; see :mod:`silkway.network.dates`).

    Raises one :class:`DataError` listing every problem found (never another exception for any
    file content); never returns a half-valid network.
    """
    from silkway.network.dates import parse_as_of

    day = parse_as_of(as_of)  # a bad date fails before any file is read
    return read_dated_dataset(path).at(day)


def read_dated_dataset(path: str | os.PathLike[str] | None = None, cache: DatasetCache | None = None) -> Network:
    """Load and validate a dataset folder with every dated row (``Network.at(day)`` takes a snapshot).

    With a ``cache`` (:mod:`silkway.network.cache`), a dataset whose files, silkway version and rules have not changed
    since it last passed validation is loaded from the cache instead; a valid dataset read afresh is stored there."""
    folder = Path(path) if path is not None else default_dataset_path()
    label = str(folder)
    try:
        is_folder = folder.is_dir()
    except OSError as exc:  # e.g. a name too long, a folder we may not enter
        raise DataError([Problem(label, None, None, f"cannot be opened: {exc.strerror or exc}")], source=label) from None
    if not is_folder:
        raise DataError([Problem(label, None, None, "is not a folder (a dataset is a folder of CSV tables and manifest.toml)")], source=label)
    problems: list[Problem] = []
    data = {MANIFEST_FILE: _read_bytes(folder, MANIFEST_FILE, problems)}
    data.update({t.file: _read_bytes(folder, t.file, problems, required=name not in OPTIONAL_TABLES) for name, t in TABLES.items()})
    key = inputs_key(list(data.items())) if cache is not None and not problems else None
    if key is not None and cache is not None and (cached := cache.load(key)) is not None:
        return cached
    size_mb = sum(len(b) for b in data.values() if b is not None) / 1e6
    if size_mb >= PROGRESS_MB:
        PROGRESS.info("validating %s (%.0f MB of tables)%s", label, size_mb,
                      "; kept in the cache for later commands" if cache is not None else "")
    from silkway.network.validate import validate_network
    manifest = _manifest_of(data[MANIFEST_FILE], problems)
    parsed = {name: _parse_table(folder, name, table, data[table.file], problems) for name, table in TABLES.items()}
    records: dict[str, Any] = {name: p.records if p.records is not None else tuple(_record(name, TABLES[name], r) for r in p.rows)
               for name, p in parsed.items()}
    if manifest is None or problems:
        # Cross-table rules on what did parse still help; they stay silent about rows that exist
        # but did not parse, so each real problem is reported once, not as a cascade.
        unparsed = unparsed_of(parsed)
        whole_graph = not ({"nodes", "links"} & (unparsed.unreadable | set(unparsed.rows)))
        net = Network(manifest=Manifest("?", "?", "?", "?"), **records)
        problems.extend(p for p in validate_network(net, check_connectivity=whole_graph, unparsed=unparsed) if p not in problems)
        raise DataError(sort_problems(problems), source=label)
    network = Network(manifest=manifest, **records)
    problems = validate_network(network)
    if problems:
        raise DataError(sort_problems(problems), source=label)
    # as from the cache: a small table as its tuple of records, a big one (LAZY_ROWS or more) stays lazy
    small: dict[str, Any] = {name: tuple(recs) for name in TABLES if isinstance(recs := network.table(name), LazyRecords)
                             and len(recs) < LAZY_ROWS}
    network = replace(network, **small)
    if key is not None and cache is not None:
        cache.save(key, network)
    return network


def unparsed_of(parsed: dict[str, ParsedTable]) -> Unparsed:
    """What the cross-table rules must not treat as absent: broken rows and unreadable tables."""
    from silkway.network.validate import Unparsed

    return Unparsed(
        rows={name: tuple(p.broken) for name, p in parsed.items() if p.broken},
        unreadable=frozenset(name for name, p in parsed.items() if not p.complete),
    )


def validate_rows_only(rows: dict[str, list[Row]], unparsed: Unparsed | None = None, check_connectivity: bool = False) -> list[Problem]:
    """Run the cross-table rules on the rows that parsed (connectivity only when asked: it needs
    every node and link row)."""
    from silkway.network.validate import validate_network

    net = build_network(Manifest("?", "?", "?", "?"), rows)
    return validate_network(net, check_connectivity=check_connectivity, unparsed=unparsed)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Group problems by file (manifest first, then tables in format order), then by line."""
    rank = {MANIFEST_FILE: 0, **{t.file: i + 1 for i, t in enumerate(TABLES.values())}}
    return sorted(problems, key=lambda p: (rank.get(p.file, -1), p.line or 0))


def build_network(manifest: Manifest, rows: dict[str, list[Row]]) -> Network:
    tables: dict[str, Any] = {}
    for name, table in TABLES.items():
        tables[name] = tuple(_record(name, table, r) for r in rows.get(name, []))
    return Network(manifest=manifest, **tables)


def _record(name: str, table: Table, row: Row) -> Any:
    cls = RECORD_TYPES[name]
    kwargs: dict[str, Any] = {}
    src: list[tuple[str, tuple[str, ...]]] = []
    for col in table.cols:
        value = row.get(col.name)
        if col.kind == "sources":
            if value:
                src.append((col.name, value))
        elif value is not None:
            kwargs[col.name] = value
    return cls(**kwargs, src=tuple(src), line=row.get("_line"))


def _read_bytes(folder: Path, file: str, problems: list[Problem], required: bool = True) -> bytes | None:
    path = folder / file
    if path.is_dir():
        problems.append(Problem(file, None, None, "is a folder, not a file"))
        return None
    if not path.exists():
        if required:
            problems.append(Problem(file, None, None, "file is missing"))
        return None
    try:
        return read_bytes(path, "manifest" if file == MANIFEST_FILE else "table", within=folder)
    except UnsafeFile as exc:
        problems.append(Problem(file, None, None, exc.reason))
        return None


def _parse_table(folder: Path, name: str, table: Table, data: bytes | None, problems: list[Problem]) -> ParsedTable:
    if data is None:
        exists = (folder / table.file).exists()
        return ParsedTable(complete=not exists and name in OPTIONAL_TABLES)
    fast = parse_table_bulk(table, name, data)  # a valid table, parsed column-wise; None → the row-by-row parser
    if fast is not None:
        return ParsedTable(records=fast)
    text = decode(data, table.file, problems)
    if text is None:
        return ParsedTable(complete=False)
    parsed = parse_table_full(table, text, problems)
    if parsed.complete and not parsed.rows and not parsed.broken and name in NON_EMPTY_TABLES:
        problems.append(Problem(table.file, 1, None, "the table has a header but no rows"))
        parsed.complete = False  # its rows are unknown: do not report every reference to it
    return parsed


def _manifest_of(data: bytes | None, problems: list[Problem]) -> Manifest | None:
    text = None if data is None else decode(data, MANIFEST_FILE, problems)
    if text is None:
        return None
    try:
        doc = tomllib.loads(text)
    except RecursionError:
        problems.append(Problem(MANIFEST_FILE, None, None, "not valid TOML: values are nested too deeply"))
        return None
    except ValueError as exc:  # TOMLDecodeError is a ValueError (so is a too long integer)
        match = _TOML_LINE.search(str(exc))
        problems.append(Problem(MANIFEST_FILE, int(match.group(1)) if match else None, None, f"not valid TOML: {show(str(exc))}"))
        return None
    return manifest_from(doc, problems)


def manifest_from(doc: dict[str, Any], problems: list[Problem]) -> Manifest | None:
    """The manifest of a parsed ``manifest.toml``; appends a located problem per bad key."""
    before = len(problems)
    for key in ("name", "version", "date", "licence"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            problems.append(Problem(MANIFEST_FILE, None, key, f"'{key}' must be a non-empty string"))
    if "description" in doc and not isinstance(doc["description"], str):
        problems.append(Problem(MANIFEST_FILE, None, "description", "'description' must be a string"))
    fv = doc.get("format_version", 1)
    if type(fv) is not int or fv != 1:
        problems.append(Problem(MANIFEST_FILE, None, "format_version", f"format_version {_short_repr(fv)} is not supported (this silkway reads 1)"))
    ref = doc.get("reference_date")
    if isinstance(ref, datetime):
        ref = ref.date()
    if ref is not None and not isinstance(ref, date):
        ref, err = parse_date(str(ref)) if isinstance(ref, str) else (None, "is not a date")
        if err:
            problems.append(Problem(MANIFEST_FILE, None, "reference_date", f"reference_date {_short_repr(doc['reference_date'])} is not a date as YYYY-MM-DD"))
    for key in doc:
        if key not in MANIFEST_KEYS:
            problems.append(Problem(MANIFEST_FILE, None, show(key), f"unknown key '{show(key)}' (expected: {', '.join(MANIFEST_KEYS)})"))
    if len(problems) > before:
        return None
    return Manifest(doc["name"], doc["version"], doc["date"], doc["licence"], doc.get("description", ""), 1, ref)


def _short_repr(value: Any) -> str:
    try:
        return show(repr(value))
    except ValueError:  # an int too long to print
        return "(a huge number)"


# ---------------------------------------------------------------- writing


def write_dataset(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write ``network`` as a dataset folder; each file is replaced atomically. A snapshot (``network.as_of`` set) is
    written as an undated dataset of that day (its rows' periods and the reference date are dropped: it holds the
    network of one day, not the history); a dated network (``read_dated_dataset``) is written with every period."""
    if network.as_of is not None:
        network = undated(network)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / MANIFEST_FILE, manifest_toml(network.manifest))
    for name, table in TABLES.items():
        atomic_write_text(folder / table.file, table_csv(table, network.table(name)))
    return folder


def undated(network: Network) -> Network:
    """The same rows without validity periods and without a reference date (a snapshot as a plain network)."""
    tables = {name: tuple(replace(r, valid_from=None, valid_to=None) for r in network.table(name)) for name, t in TABLES.items() if t.dated}
    return replace(network, **tables, manifest=replace(network.manifest, reference_date=None), as_of=None, dated=None)


def manifest_toml(m: Manifest) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    return (
        f"name = {q(m.name)}\nversion = {q(m.version)}\ndate = {q(m.date)}\n"
        f"licence = {q(m.licence)}\ndescription = {q(m.description)}\nformat_version = {m.format_version}\n"
        + (f"reference_date = {m.reference_date.isoformat()}\n" if m.reference_date else "")
    )


def table_csv(table: Table, records: tuple[Any, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.names)
    for rec in records:
        src = dict(rec.src)
        writer.writerow([_format_cell(c.kind, src.get(c.name) if c.kind == "sources" else getattr(rec, c.name)) for c in table.cols])
    return buf.getvalue()


def format_geometry(points: Any) -> str:
    """``lon lat;lon lat;...`` with at most 2 decimals (0.01° ≈ 1 km: a map line, not a survey), no trailing zeros."""
    return ";".join(f"{_deg(lon)} {_deg(lat)}" for lon, lat in points)


def _deg(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _format_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind in ("list", "sources", "gauges"):
        return ";".join(str(v) for v in value)
    if kind == "yesno":
        return "yes" if value else "no"
    if kind == "date":
        return str(value.isoformat())
    if kind == "geometry":
        return format_geometry(value)
    if kind == "months":
        return ";".join(f"{v:g}" for v in value)
    if kind == "float":
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    return str(value)
