"""Parse a valid table fast: pyarrow reads the CSV, each column is checked and converted in bulk.

A fast path only. It accepts a cell only when it is plainly valid (a pattern stricter than :func:`parse_cell`'s
rules, e.g. no surrounding spaces) and hands every other cell to :func:`parse_cell` itself, so values are the same as
the row-by-row parser's. As soon as a table shows *any* problem (a bad cell, a value without a source, a structure
pyarrow reads differently from ``csv``: blank lines, quoted line breaks, a wrong cell count…) it returns None and
the caller parses that table with the row-by-row parser (:mod:`silkway.network.parse`), which locates every problem
at its file, line and field. Valid tables come back as records, built column-wise.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import fields
from typing import Any

from silkway.errors import Problem
from silkway.limits import FORMULA_PATTERN
from silkway.network.model import RECORD_TYPES
from silkway.network.parse import _YES, _check_header, parse_cell
from silkway.network.schema import Col, Table

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
_ODD_QUOTE = re.compile(r'[^,\r\n]"[^,\r\n]')


def parse_table_bulk(table: Table, name: str, text: str) -> tuple[Any, ...] | None:
    """The table's records when every row is valid (lines numbered as a spreadsheet shows them), else None."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    from silkway.interrupts import quiet_arrow_signals

    quiet_arrow_signals()  # Ctrl-C during the read: Python's handler, not pyarrow's (which can hang the read)
    if "\x00" in text or "\r" in text and "\r\n" not in text or _ODD_QUOTE.search(text):
        return None
    header_line = text.split("\n", 1)[0]
    try:
        header = [h.strip() for h in next(csv.reader([header_line]))]
    except (csv.Error, StopIteration):
        return None
    problems: list[Problem] = []
    if not header or header != [h for h in header if h] or not _check_header(table, header, problems) or problems:
        return None
    data = text.encode("utf-8")
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
    values: dict[str, list[Any]] = {}
    for col in table.cols:
        parsed = _column(col, arrow.column(col.name).combine_chunks() if col.name in header else None, n)
        if parsed is None:
            return None
        values[col.name] = parsed
    if not _sourced(table, values):
        return None
    return build_records(name, table, values, range(2, n + 2))


def _column(col: Col, arr: Any, n: int) -> list[Any] | None:
    """The column's parsed values, or None when a cell has a problem (the slow parser will say which)."""
    import pyarrow.compute as pc

    if arr is None:
        if col.required:
            return None
        return [None] * n
    if len(arr) and pc.max(pc.utf8_length(arr)).as_py() >= csv.field_size_limit():
        return None  # the csv module refuses such a cell: let it say so
    empty = pc.equal(arr, "")
    plain = pc.match_substring_regex(arr, _PLAIN[col.kind]) if col.kind in _PLAIN else pc.match_substring_regex(arr, _TRIMMED)
    # a cell that would start a spreadsheet formula is never plain: parse_cell refuses it with its place
    plain = pc.and_(plain, pc.invert(pc.match_substring_regex(arr, "^(" + FORMULA_PATTERN + ")")))
    if col.kind == "enum":
        plain = pc.and_(plain, pc.is_in(arr, value_set=_pa_strings(col.choices)))
    elif col.kind == "yesno":
        plain = pc.and_(plain, pc.is_in(arr, value_set=_pa_strings(tuple(_YES))))
    elif col.kind == "list":
        plain = pc.and_(plain, pc.invert(pc.match_substring(arr, ";")))
    elif col.kind in ("date", "geometry", "months"):
        plain = pc.not_equal(arr, arr)  # never plain: each filled cell goes through parse_cell
    if col.required and pc.any(empty).as_py():
        return None
    if col.kind == "float":
        out = pc.cast(pc.if_else(plain, arr, "0"), "float64").to_numpy(zero_copy_only=False)
        ok = _in_bounds(col, out)
        plain = pc.and_(plain, _pa_bools(ok))
        raw = out.tolist()
    else:
        raw = arr.to_pylist()
    convert = _converter(col.kind)
    n_empty, n_plain = pc.sum(empty).as_py() or 0, pc.sum(plain).as_py() or 0
    if n_plain == n:  # the common case: every cell plainly valid, converted in one go
        return raw if convert is None else list(map(convert, raw))
    if n_empty == n:
        return [None] * n
    plain_list = plain.to_pylist()
    empty_list = empty.to_pylist()
    out_values: list[Any] = [None] * n
    for i in range(n):
        if empty_list[i]:
            continue
        if plain_list[i]:
            out_values[i] = raw[i] if convert is None else convert(raw[i])
            continue
        value, err = parse_cell(col, raw[i] if col.kind != "float" else arr[i].as_py())
        if err:
            return None
        out_values[i] = value
    return out_values


def _converter(kind: str) -> Any:
    """How a plainly valid cell becomes its value (None: the text itself, or the float already cast)."""
    if kind == "sources" or kind == "list":
        interned: dict[str, tuple[str, ...]] = {}
        return lambda s: interned.get(s) or interned.setdefault(s, (s,))
    if kind == "gauges":
        return {"1435": (1435,), "1520": (1520,)}.__getitem__
    if kind == "yesno":
        return _YES.__getitem__
    return None  # ids, text, enums, countries, floats; dates, geometries and month profiles are never plain (see _column)


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


def _pa_bools(mask: Any) -> Any:
    import pyarrow as pa

    return pa.array(mask, type=pa.bool_())


def _sourced(table: Table, values: dict[str, list[Any]]) -> bool:
    """No value without a source (the row-by-row parser reports each such cell)."""
    for col in table.cols:
        if col.src:
            src = values[col.src]
            if any(v is not None and not s for v, s in zip(values[col.name], src, strict=True)):
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
