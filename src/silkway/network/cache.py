"""A compiled cache of validated datasets: later commands load it instead of re-reading and re-validating the CSVs.

An entry holds the validated (dated) network as one file per table plus ``meta.json``: a big table (``LAZY_ROWS`` rows
or more) as Arrow IPC, memory-mapped and built into records on first use; a small one as JSON columns, so loading a
dataset of small tables (the embedded one) does not import pyarrow (``silkway route`` start-up); for a big network, also
the arrays derived from it (:mod:`silkway.network.arraystore`, in ``arrays/``). It is keyed by a
BLAKE2b digest of every input file's bytes (manifest and tables, or their absence), silkway's version, the cache
format and the source of the network package (a new parsing or validation rule invalidates every entry). Only a
dataset that passed validation is cached; a dataset with problems is re-read and re-reported every time.

What is checked on a load, and why that is safe. The inputs are hashed on every load, so an edited dataset is never
answered from a stale entry. The entry's own files are not re-hashed (at a million nodes that was ≈ 430 MB of Arrow
per command): an entry is written into a temporary folder and renamed into place, ``meta.json`` last, so it is either
complete or absent, and silkway never rewrites a file inside it. ``meta.json`` keeps, for a small JSON table, its
BLAKE2b digest (cheap: checked on every load), and for a big Arrow table its size and modification time (nanoseconds),
which any later write changes (a truncation, an edit, a copy over it); pyarrow then checks the file's structure (footer,
schema, buffer sizes) when it opens it. An entry that fails any check is deleted and rebuilt, never trusted. Not
detected: a change that keeps a big file's size and modification time (bit rot on the disk, or a deliberate reset of
the timestamp) — the same trust any build cache keyed on file metadata places in its own output folder.

Where: ``SILKWAY_CACHE_DIR`` when set (empty or ``off`` disables the cache), else ``$XDG_CACHE_HOME/silkway``, else
``~/.cache/silkway``; never inside the installed package (a cache dir there is refused).
"""

from __future__ import annotations

import hashlib
import json
import logging
import operator
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from silkway.network.arraystore import attach
from silkway.network.model import Manifest, Network
from silkway.network.schema import TABLES, Table

logger = logging.getLogger(__name__)
CACHE_FORMAT = 3
ENV_DIR = "SILKWAY_CACHE_DIR"
_OFF = ("", "off", "0", "none", "no")


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """The cache folder the environment asks for (None: caching off)."""
    env = os.environ if env is None else env
    if ENV_DIR in env:
        value = env[ENV_DIR].strip()
        return None if value.lower() in _OFF else Path(value).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "silkway"


def default_cache(env: Mapping[str, str] | None = None) -> DatasetCache | None:
    root = default_cache_dir(env)
    return DatasetCache(root) if root is not None else None


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of the network package's source: parsing and validation rules are part of a cached result."""
    from silkway import __version__

    h = hashlib.blake2b(f"silkway {__version__} cache {CACHE_FORMAT}".encode(), digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def inputs_key(inputs: list[tuple[str, bytes | None]]) -> str:
    """The cache key of a dataset's input files (name and bytes, None = absent)."""
    h = hashlib.blake2b(code_fingerprint().encode(), digest_size=20)
    for name, data in inputs:
        h.update(f"\n{name}:{'absent' if data is None else len(data)}\n".encode())
        if data is not None:
            h.update(data)
    return h.hexdigest()


@dataclass
class DatasetCache:
    """The cache folder, with counters of what happened (for tests and ``--verbose`` output)."""

    root: Path
    hits: int = 0
    misses: int = 0
    rebuilt: int = 0  # entries found damaged and dropped

    def __post_init__(self) -> None:
        package = Path(__file__).resolve().parents[1]  # the installed silkway package
        root = self.root.resolve()
        if root == package or package in root.parents:
            from silkway.errors import SilkwayError

            raise SilkwayError(f"cache folder {self.root} is inside the silkway package ({package}): set {ENV_DIR} elsewhere")

    def _entry(self, key: str) -> Path:
        return self.root / "datasets" / key

    def load(self, key: str) -> Network | None:
        entry = self._entry(key)
        if not entry.is_dir():
            self.misses += 1
            return None
        try:
            net = _read_entry(entry, key)
        except Exception:  # a damaged or foreign entry is a cache miss: rebuilt from the CSV tables
            logger.warning("dataset cache entry %s is unreadable; rebuilding it", entry, exc_info=True)
            net = None
        if net is None:
            shutil.rmtree(entry, ignore_errors=True)
            self.rebuilt += 1
            self.misses += 1
            return None
        self.hits += 1
        attach(net, entry)  # arrays derived from it are kept beside it (silkway.network.arraystore)
        return net

    def save(self, key: str, net: Network) -> None:
        """Store ``net`` under ``key``; a cache that cannot be written (read-only, disk full) is skipped silently."""
        final = self._entry(key)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
        except OSError:
            return
        try:
            _write_entry(tmp, key, net)
            try:
                os.replace(tmp, final)
            except OSError:  # another process stored the same entry first
                shutil.rmtree(tmp, ignore_errors=True)
            if (final / "meta.json").is_file():
                attach(net, final)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _unchanged(path: Path, info: Mapping[str, Any]) -> bool:
    """The file is the one written into the entry: its digest (a small JSON table), or its size and modification time
    (a big Arrow table, whose structure pyarrow checks when it opens it)."""
    if "blake2b" in info:
        return bool(_digest(path) == info["blake2b"])
    st = path.stat()
    return (st.st_size, st.st_mtime_ns) == (info["bytes"], info["mtime_ns"])


def _write_entry(folder: Path, key: str, net: Network) -> None:
    files = {}
    for name, table in TABLES.items():
        records = net.table(name)
        if len(records) >= LAZY_ROWS:
            import pyarrow as pa

            arrow = to_arrow(table, records)
            path = folder / f"{name}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, arrow.schema) as writer:
                writer.write_table(arrow)
            st = path.stat()  # a big file is checked by size and modification time on load, not re-hashed (module docs)
            files[name] = {"file": path.name, "rows": len(records), "bytes": st.st_size, "mtime_ns": st.st_mtime_ns}
        else:
            path = folder / f"{name}.json"
            plain = records.columns.to_pydict() if isinstance(records, LazyRecords) else _columns(table, records)
            columns = {c: [v.isoformat() if isinstance(v, date) else v for v in vs] for c, vs in plain.items()}
            path.write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
            files[name] = {"file": path.name, "rows": len(records), "blake2b": _digest(path)}
    m = net.manifest
    meta = {"format": CACHE_FORMAT, "key": key, "files": files,
            "manifest": {"name": m.name, "version": m.version, "date": m.date, "licence": m.licence, "description": m.description,
                         "format_version": m.format_version, "reference_date": m.reference_date.isoformat() if m.reference_date else None}}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")  # last: an entry without it is incomplete


def _read_entry(folder: Path, key: str) -> Network | None:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != CACHE_FORMAT or meta.get("key") != key or set(meta["files"]) != set(TABLES):
        return None
    tables: dict[str, Any] = {}
    for name, table in TABLES.items():
        info = meta["files"][name]
        path = folder / info["file"]
        if path.name not in (f"{name}.arrow", f"{name}.json") or not _unchanged(path, info):
            return None
        if path.suffix == ".json":
            columns = json.loads(path.read_text(encoding="utf-8"))
            if set(columns) != {*(c.name for c in table.cols), "_line"} or any(len(v) != info["rows"] for v in columns.values()):
                return None
            for col in table.cols:
                if col.kind == "date":
                    columns[col.name] = [None if v is None else date.fromisoformat(v) for v in columns[col.name]]
            tables[name] = _from_columns(name, table, columns)
            continue
        import pyarrow as pa

        arrow = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()  # zero-copy: the map lives with the table
        if arrow.num_rows != info["rows"] or arrow.schema != arrow_schema(table):
            return None
        arrow.validate()  # buffers and offsets consistent with the schema (raises: a damaged entry)
        tables[name] = LazyRecords(arrow, name)
    m = meta["manifest"]
    ref = date.fromisoformat(m["reference_date"]) if m["reference_date"] else None
    manifest = Manifest(m["name"], m["version"], m["date"], m["licence"], m["description"], m["format_version"], ref)
    return Network(manifest=manifest, **tables)


LAZY_ROWS = 10_000  # tables this long are built into records on first use, not on load
SINGLE_ROWS = 4_096  # records a big table builds one at a time (at least; a sixteenth of its rows) before it builds all


class LazyRecords(Sequence[Any]):
    """A big table loaded from the cache: its Arrow columns now, its records when first iterated.

    Behaves as the tuple of records it stands for (length, indexing, iteration, equality, hashing, ``+``, pickling as a
    tuple); ``columns`` gives the Arrow table itself, for code that works on whole columns. Indexing one row builds that
    record alone (kept), so a query that reads a route's few hundred links does not build a million records; only
    iteration (or many single reads: :data:`SINGLE_ROWS`) builds them all. :meth:`keyed` looks records up by a key
    column the same way (``Network.node_by_id``)."""

    __slots__ = ("_arrow", "_name", "_items", "_rows", "_keys")

    def __init__(self, arrow: Any, name: str):
        self._arrow, self._name = arrow, name
        self._items: tuple[Any, ...] | None = None
        self._rows: dict[int, Any] = {}  # records built one at a time, by row
        self._keys: dict[str, dict[Any, int]] = {}  # key column → value → row (first row of a value)

    @property
    def columns(self) -> Any:
        return self._arrow

    def take(self, rows: Sequence[int]) -> list[Any]:
        """The records at these row positions, built alone (the whole table is not built)."""
        if self._items is not None or not len(rows):
            return [self._all()[i] for i in rows]
        import pyarrow as pa

        return list(_from_columns(self._name, TABLES[self._name], self._arrow.take(pa.array(rows, type=pa.int64())).to_pydict()))

    def prefetch(self, rows: Sequence[int]) -> None:
        """Build the records at these row positions in one batch (kept, as :meth:`_one` keeps them): a route's few hundred
        links cost one Arrow take instead of one slice each."""
        if self._items is not None:
            return
        new = sorted({int(i) for i in rows} - self._rows.keys())
        if new:
            for i, rec in zip(new, self.take(new), strict=True):
                self._rows[i] = rec

    def _all(self) -> tuple[Any, ...]:
        if self._items is None:
            self._items = _from_columns(self._name, TABLES[self._name], self._arrow.to_pydict())
            self._rows.clear()
        return self._items

    def _one(self, i: int) -> Any:
        """Record ``i`` (negative: from the end), built alone and kept, until many are asked for: then all."""
        n = len(self)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise IndexError(f"{self._name} record index {i} out of range ({n} records)")
        rec = self._rows.get(j)
        if rec is None:
            if len(self._rows) >= max(SINGLE_ROWS, n // 16):  # many read: building them all costs less from here on
                return self._all()[j]
            rec = self._rows[j] = _from_columns(self._name, TABLES[self._name], self._arrow.slice(j, 1).to_pydict())[0]
        return rec

    def index_of(self, column: str) -> dict[Any, int]:
        """Value of ``column`` → the last row holding it, as a dict comprehension over the records keeps it (built once
        per column, kept; do not modify it)."""
        hit = self._keys.get(column)
        if hit is None:
            values = self._arrow.column(column).to_pylist()
            hit = self._keys[column] = dict(zip(values, range(len(values)), strict=True))
        return hit

    def keyed(self, column: str) -> Mapping[Any, Any]:
        """The records by the value of ``column`` (an id column: unique in a valid table), as a read-only mapping that
        builds a record when it is looked up."""
        return _Keyed(self, column)

    def __len__(self) -> int:
        return int(self._arrow.num_rows)

    def __getitem__(self, i: Any) -> Any:
        items = self._items
        if items is not None:
            return items[i]
        if isinstance(i, slice):
            return self._all()[i]
        rec = self._rows.get(i)  # a numpy integer (an arc's link) finds its int key
        return rec if rec is not None else self._one(operator.index(i))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return self._all() == (tuple(other) if isinstance(other, LazyRecords) else other)

    def __hash__(self) -> int:
        return hash(self._all())

    def __add__(self, other: Any) -> tuple[Any, ...]:
        return self._all() + tuple(other)

    def __radd__(self, other: Any) -> tuple[Any, ...]:
        return tuple(other) + self._all()

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self._all(),))

    def __repr__(self) -> str:
        return f"<{len(self)} {self._name} records from the dataset cache>"


class _Keyed(Mapping[Any, Any]):
    """:meth:`LazyRecords.keyed`: records by a key column, each built when looked up."""

    __slots__ = ("_records", "_column", "_seen")

    def __init__(self, records: LazyRecords, column: str):
        self._records, self._column = records, column
        self._seen: dict[Any, Any] = {}  # records looked up so far, by key

    def __getitem__(self, key: Any) -> Any:
        rec = self._seen.get(key)
        if rec is None:
            rec = self._seen[key] = self._records[self._records.index_of(self._column)[key]]
        return rec

    def __contains__(self, key: object) -> bool:
        return key in self._records.index_of(self._column)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._records.index_of(self._column))

    def __len__(self) -> int:
        return len(self._records.index_of(self._column))


def arrow_schema(table: Table) -> Any:
    import pyarrow as pa

    return pa.schema([*(pa.field(c.name, _arrow_type(c.kind)) for c in table.cols), pa.field("_line", pa.int32())])


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {"float": pa.float64(), "yesno": pa.bool_(), "date": pa.date32(), "geometry": pa.list_(pa.float64()),
            "months": pa.list_(pa.float64())}.get(kind, pa.string())


def cache_cell(kind: str, value: Any) -> Any:
    """A parsed value as the cache stores it: lists joined by ';' (empty: None), a geometry as its flat coordinates."""
    if kind in ("list", "gauges", "sources"):
        return ";".join(map(str, value)) if value else None
    if kind == "geometry":
        return [x for p in value for x in p] if value else None
    if kind == "months":
        return list(value) if value else None
    return value


def _columns(table: Table, records: Sequence[Any]) -> dict[str, list[Any]]:
    """The records as plain columns (:func:`cache_cell`), dates as dates."""
    cols: dict[str, list[Any]] = {}
    for col in table.cols:
        if col.kind == "sources":
            values = [dict(r.src).get(col.name) for r in records]
        else:
            values = [getattr(r, col.name) for r in records]
        if col.kind in ("list", "gauges", "sources", "geometry", "months"):
            values = [cache_cell(col.kind, v) for v in values]
        cols[col.name] = values
    cols["_line"] = [r.line for r in records]
    return cols


def to_arrow(table: Table, records: Sequence[Any]) -> Any:
    """The records as an Arrow table in the cache's layout (the table itself for :class:`LazyRecords`)."""
    import pyarrow as pa

    if isinstance(records, LazyRecords):
        return records.columns

    cols = _columns(table, records)
    arrays = {c.name: pa.array(cols[c.name], type=_arrow_type(c.kind)) for c in table.cols}
    return pa.table({**arrays, "_line": pa.array(cols["_line"], type=pa.int32())}, schema=arrow_schema(table))


def _from_columns(name: str, table: Table, columns: Mapping[str, list[Any]]) -> tuple[Any, ...]:
    """The records of plain columns (the inverse of :func:`_columns`)."""
    from silkway.network.parse_bulk import build_records

    values: dict[str, list[Any]] = {}
    for col in table.cols:
        raw = columns[col.name]
        if col.kind in ("list", "sources"):
            interned: dict[str, tuple[str, ...]] = {}
            raw = [interned.setdefault(v, tuple(v.split(";"))) if v is not None else None for v in raw]
        elif col.kind == "gauges":
            raw = [tuple(int(g) for g in v.split(";")) if v is not None else None for v in raw]
        elif col.kind == "geometry":
            raw = [tuple(zip(v[::2], v[1::2], strict=True)) if v is not None else None for v in raw]
        elif col.kind == "months":
            raw = [tuple(v) if v is not None else None for v in raw]
        values[col.name] = raw
    return build_records(name, table, values, list(columns["_line"]))
