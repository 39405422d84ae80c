"""Read and write a dataset folder: the only file I/O of the network package.

``read_dataset`` parses every table, runs every validation rule and raises one :class:`DataError`
listing all problems; it never returns a half-valid network.
"""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from silkway.atomic import atomic_write_text
from silkway.errors import DataError, Problem
from silkway.network.model import RECORD_TYPES, Manifest, Network
from silkway.network.parse import Row, decode, parse_table
from silkway.network.schema import MANIFEST_FILE, MANIFEST_KEYS, TABLES, Table
from silkway.network.validate import validate_network

OPTIONAL_TABLES = ("closures",)
DEFAULT_DATASET = "eurasia"


def default_dataset_path() -> Path:
    """Folder of the embedded default dataset (inside the installed package)."""
    return Path(str(resources.files("silkway") / "data" / DEFAULT_DATASET))


def read_dataset(path: str | os.PathLike[str] | None = None) -> Network:
    """Load and validate a dataset folder (the embedded ``eurasia`` dataset when ``path`` is None)."""
    folder = Path(path) if path is not None else default_dataset_path()
    label = str(folder)
    if not folder.is_dir():
        raise DataError([Problem(label, None, None, "is not a folder (a dataset is a folder of CSV tables and manifest.toml)")], source=label)
    problems: list[Problem] = []
    manifest = _read_manifest(folder, problems)
    rows: dict[str, list[Row]] = {}
    for name, table in TABLES.items():
        rows[name] = _read_table(folder, name, table, problems)
    if manifest is None or problems:
        # Cross-table rules on partly parsed data still help: report them too.
        problems.extend(p for p in validate_rows_only(rows) if p not in problems)
        raise DataError(problems, source=label)
    network = build_network(manifest, rows)
    problems = validate_network(network)
    if problems:
        raise DataError(problems, source=label)
    return network


def validate_rows_only(rows: dict[str, list[Row]]) -> list[Problem]:
    """Run the cross-table rules on whatever parsed, when some rows could not be parsed."""
    try:
        net = build_network(Manifest("?", "?", "?", "?"), rows)
    except Exception:  # noqa: BLE001 - best effort only; the parse problems are already reported
        return []
    return validate_network(net, check_connectivity=False)


def build_network(manifest: Manifest, rows: dict[str, list[Row]]) -> Network:
    tables: dict[str, tuple[Any, ...]] = {}
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


def _read_table(folder: Path, name: str, table: Table, problems: list[Problem]) -> list[Row]:
    path = folder / table.file
    if not path.is_file():
        if name not in OPTIONAL_TABLES:
            problems.append(Problem(table.file, None, None, "file is missing"))
        return []
    text = decode(path.read_bytes(), table.file, problems)
    return [] if text is None else parse_table(table, text, problems)


def _read_manifest(folder: Path, problems: list[Problem]) -> Manifest | None:
    path = folder / MANIFEST_FILE
    if not path.is_file():
        problems.append(Problem(MANIFEST_FILE, None, None, "file is missing"))
        return None
    text = decode(path.read_bytes(), MANIFEST_FILE, problems)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(MANIFEST_FILE, getattr(exc, "lineno", None), None, f"not valid TOML: {exc}"))
        return None
    before = len(problems)
    for key in ("name", "version", "date", "licence"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(MANIFEST_FILE, None, key, f"'{key}' must be a non-empty string"))
    fv = data.get("format_version", 1)
    if fv != 1:
        problems.append(Problem(MANIFEST_FILE, None, "format_version", f"format_version {fv!r} is not supported (this silkway reads 1)"))
    for key in data:
        if key not in MANIFEST_KEYS:
            problems.append(Problem(MANIFEST_FILE, None, key, f"unknown key '{key}' (expected: {', '.join(MANIFEST_KEYS)})"))
    if len(problems) > before:
        return None
    return Manifest(data["name"], data["version"], data["date"], data["licence"], str(data.get("description", "")), 1)


# ---------------------------------------------------------------- writing


def write_dataset(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write ``network`` as a dataset folder; each file is replaced atomically."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / MANIFEST_FILE, manifest_toml(network.manifest))
    for name, table in TABLES.items():
        atomic_write_text(folder / table.file, table_csv(table, network.table(name)))
    return folder


def manifest_toml(m: Manifest) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    return (
        f"name = {q(m.name)}\nversion = {q(m.version)}\ndate = {q(m.date)}\n"
        f"licence = {q(m.licence)}\ndescription = {q(m.description)}\nformat_version = {m.format_version}\n"
    )


def table_csv(table: Table, records: tuple[Any, ...]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.names)
    for rec in records:
        src = dict(rec.src)
        writer.writerow([_format_cell(c.kind, src.get(c.name) if c.kind == "sources" else getattr(rec, c.name)) for c in table.cols])
    return buf.getvalue()


def _format_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind in ("list", "sources", "gauges"):
        return ";".join(str(v) for v in value)
    if kind == "yesno":
        return "yes" if value else "no"
    if kind == "float":
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    return str(value)
