"""Parse a valid table fast: pyarrow reads the CSV, each column is checked and converted in bulk.

A fast path only. It accepts a cell only when it is plainly valid (a pattern stricter than :func:`parse_cell`'s
rules, e.g. no surrounding spaces) and hands every other cell to :func:`parse_cell` itself, so values are the same as
the row-by-row parser's. As soon as a table shows *any* problem (a bad cell, a value without a source, a structure
pyarrow reads differently from ``csv``: blank lines, quoted line breaks, a wrong cell count…) it returns None and
the caller parses that table with the row-by-row parser (:mod:`silkway.network.parse`), which locates every problem
at its file, line and field. A valid table comes back as its Arrow columns in the cache's layout
(:class:`~silkway.network.cache.LazyRecords`): records are built only when a caller iterates them, and the
validation rules work on the columns (:mod:`silkway.network.columns`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from silkway.errors import Problem
from silkway.limits import FORMULA_PATTERN
from silkway.network.model import RECORD_TYPES
from silkway.network.parse import _YES, _check_header, parse_cell
from silkway.network.schema import Col, Table

if TYPE_CHECKING:
    from silkway.network.cache import LazyRecords

# Python's str.strip() whitespace, so that "no surrounding whitespace" means what parse_cell's strip() means
_WS = "\\t\\n\\x{0b}\\x{0c}\\r\\x{1c}-\\x{1f} \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
_TRIMMED = f"^([^{_WS}]|[^{_WS}].*[^{_WS}])$"
_PLAIN = {  # kind → a pattern whose matches parse_cell accepts as the text itself (ids) or as a float
    "id": r"^[A-Za-z0-9_.\-]+$",
    "ref": r"^[A-Za-z0-9_.\-]+$",
    "country": r"^[A-Z]{2}$",
    "float": r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?$",
    "sources": r"^[A-Za-z0-9_.\-]+$",  # one id (several ids separated by ; go the slow way)
    "gauges": r"^(1435|1520)$",
    "country_or_default": r"^([A-Z]{2}|\*)$",
}


# a quote between two non-delimiters ('ab"c', '"ab"c', a doubled quote): csv and pyarrow may read such a cell
# differently, so the row-by-row parser takes the table
_ODD_QUOTE = re.compile(rb'[^,\r\n]"[^,\r\n]')
_BOM = "\ufeff".encode()
_FORMULA_ANY = ("=", "@", "\t", "\r", "-", "+")  # every match of FORMULA_PATTERN starts with one of these
_FORMULA_STARTS = {"id": ("-",), "ref": ("-",), "sources": ("-",), "float": (), "country": (), "gauges": (), "country_or_default": ()}
_FEW_VALUES = ("enum", "yesno", "country", "country_or_default", "gauges", "sources", "list")


def parse_table_bulk(table: Table, name: str, text: str | bytes) -> LazyRecords | None:
    """The table's records when every row is valid (lines numbered as a spreadsheet shows them), else None.

    ``text``: the file's text, or its bytes (UTF-8, with or without a BOM; invalid UTF-8 → None). The records are not
    built: they come back as :class:`~silkway.network.cache.LazyRecords` over the parsed Arrow columns (the cache's
    own layout), built into records only if a caller iterates them."""
    import numpy as np
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    from silkway.interrupts import quiet_arrow_signals
    from silkway.network.cache import LazyRecords, arrow_schema

    quiet_arrow_signals()  # Ctrl-C during the read: Python's handler, not pyarrow's (which can hang the read)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if b"\x00" in data or b"\r" in data and b"\r\n" not in data or b'"' in data and _ODD_QUOTE.search(data):
        return None
    try:
        header_line = data[: 1 << 16].split(b"\n", 1)[0].decode("utf-8")
        header = [h.strip() for h in next(csv.reader([header_line]))]
    except (csv.Error, StopIteration, UnicodeDecodeError):
        return None
    problems: list[Problem] = []
    if not header or header != [h for h in header if h] or not _check_header(table, header, problems) or problems:
        return None
    try:
        arrow = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    n = arrow.num_rows
    if n == 0:
        return None  # an empty table: the row-by-row parser says whether it may be
    if data.count(b"\n") + (0 if data.endswith(b"\n") else 1) != n + 1:
        return None  # a blank line or a line break inside a quoted cell: lines would not follow rows
    del data
    schema = arrow_schema(table)
    values: dict[str, Any] = {}
    for col in table.cols:
        parsed = _column(col, arrow.column(col.name).combine_chunks() if col.name in header else None, n,
                         schema.field(col.name).type)
        if parsed is None:
            return None
        values[col.name] = parsed
    if not _sourced(table, values):
        return None
    values["_line"] = pa.array(np.arange(2, n + 2, dtype=np.int32))
    return LazyRecords(pa.table(values, schema=schema), name)


def _column(col: Col, arr: Any, n: int, typ: Any) -> Any:
    """The column's values as an Arrow array in the cache's layout (:func:`silkway.network.cache.cache_cell`; empty =
    null), or None when a cell has a problem (the slow parser will say which)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from silkway.network.cache import cache_cell

    if arr is None:
        return None if col.required else pa.nulls(n, type=typ)
    if len(arr) and pc.max(pc.utf8_length(arr)).as_py() >= csv.field_size_limit():
        return None  # the csv module refuses such a cell: let it say so
    empty = pc.equal(arr, "")
    if col.required and pc.any(empty).as_py():
        return None
    if col.kind in ("date", "geometry", "months"):
        plain = pc.not_equal(arr, arr)  # never plain: each filled cell goes through parse_cell
    elif col.kind in _FEW_VALUES:  # a column of few distinct values (modes, source ids): each is checked once
        distinct = pc.unique(arr)
        plain = pc.is_in(arr, value_set=distinct.filter(_plain(col, distinct)))
    else:
        plain = _plain(col, arr)
    if col.kind == "float":
        floats = pc.cast(pc.if_else(plain, arr, "0"), "float64").to_numpy(zero_copy_only=False)
        plain = pc.and_(plain, pa.array(_in_bounds(col, floats), type=pa.bool_()))
        out: Any = pa.array(floats, type=typ, mask=empty.to_numpy(zero_copy_only=False))
    elif col.kind == "yesno":
        out = pc.is_in(arr, value_set=_pa_strings(tuple(k for k, v in _YES.items() if v)))
        out = pc.if_else(empty, pa.scalar(None, typ), out)
    elif col.kind in ("date", "geometry", "months"):
        out = pa.nulls(n, type=typ)
    else:  # ids, text, enums, countries, a single source id or list item, a single gauge: the text is the cached value
        out = pc.if_else(empty, pa.scalar(None, typ), arr)
    odd = np.flatnonzero(~pc.or_(plain, empty).to_numpy(zero_copy_only=False))
    if not len(odd):  # the common case: every cell plainly valid (or empty), converted in bulk
        return out
    cells = out.to_pylist()
    for i in odd.tolist():
        value, err = parse_cell(col, arr[i].as_py())
        if err:
            return None
        cells[i] = cache_cell(col.kind, value)
    return pa.array(cells, type=typ)


def _plain(col: Col, arr: Any) -> Any:
    """Which cells are plainly valid: parse_cell would take them as they are (the text itself, or the float)."""
    import pyarrow.compute as pc

    if col.kind in ("enum", "yesno"):  # the choices are plain words
        return pc.is_in(arr, value_set=_pa_strings(col.choices if col.kind == "enum" else tuple(_YES)))
    plain = pc.match_substring_regex(arr, _PLAIN.get(col.kind, _TRIMMED))
    # a cell that would start a spreadsheet formula is never plain: parse_cell refuses it with its place (the pattern
    # runs only when some cell starts with a character that both a formula and the kind's plain pattern may start with)
    if any(pc.any(pc.starts_with(arr, c)).as_py() for c in _FORMULA_STARTS.get(col.kind, _FORMULA_ANY)):
        plain = pc.and_(plain, pc.invert(pc.match_substring_regex(arr, "^(" + FORMULA_PATTERN + ")")))
    if col.kind == "list":
        plain = pc.and_(plain, pc.invert(pc.match_substring(arr, ";")))
    return plain


def _in_bounds(col: Col, x: Any) -> Any:
    import numpy as np

    ok = np.isfinite(x)
    if col.positive:
        ok &= x > 0
    if col.min is not None:
        ok &= x >= col.min
    if col.max is not None:
        ok &= x <= col.max
    return ok


def _pa_strings(values: tuple[str, ...]) -> Any:
    import pyarrow as pa

    return pa.array(list(values), type=pa.string())


def _sourced(table: Table, values: dict[str, Any]) -> bool:
    """No value without a source (the row-by-row parser reports each such cell)."""
    import pyarrow.compute as pc

    for col in table.cols:
        if col.src and pc.any(pc.and_(pc.is_valid(values[col.name]), pc.is_null(values[col.src]))).as_py():
            return False
    return True


def build_records(name: str, table: Table, values: dict[str, list[Any]], lines: Any) -> tuple[Any, ...]:
    """Records of table ``name`` from parsed columns (None = empty) and their lines, built column-wise."""
    cls = RECORD_TYPES[name]
    n = len(lines)
    src_cols = [c.name for c in table.cols if c.kind == "sources"]
    src_interned: dict[tuple[Any, ...], tuple[tuple[str, tuple[str, ...]], ...]] = {}

    def src_of(cells: tuple[Any, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        got = src_interned.get(cells)
        if got is None:
            got = src_interned[cells] = tuple((c, ids) for c, ids in zip(src_cols, cells, strict=True) if ids)
        return got

    srcs = list(map(src_of, zip(*(values[c] for c in src_cols), strict=True))) if src_cols else [()] * n
    args: list[list[Any]] = []
    for f in fields(cls):
        if f.name == "src":
            args.append(srcs)
        elif f.name == "line":
            args.append(lines)
        elif f.name in values:
            col = values[f.name]
            args.append(col if not _defaults_to_empty(f) else [v if v is not None else f.default for v in col])
        else:
            args.append([f.default] * n)
    return tuple(map(cls, *args))


def _defaults_to_empty(f: Any) -> bool:
    """Fields whose record default is not None (a missing list is ``()``)."""
    return f.default is not None and f.default is not f.default_factory
