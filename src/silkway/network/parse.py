"""Pure parsing of CSV text into typed rows, collecting every problem (no file I/O here).

A row with any bad cell is not built into the network; its cells that did parse are kept as a
*broken* row so that cross-table rules know the row exists and do not report a cascade of
"not found" problems for it (the real problem is reported once, on its own cell).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from silkway.errors import Problem
from silkway.limits import formula_problem, strict_float
from silkway.network.schema import GAUGES_MM, Col, Table

_ID = re.compile(r"[A-Za-z0-9_.\-]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_YES = {"yes": True, "true": True, "y": True, "1": True, "no": False, "false": False, "n": False, "0": False}
_SHOW_CHARS = 40
_WITH_UNIT = re.compile(r"([-+]?\d+(?:\.\d+)?)\s*([^\W\d_][^\d]{0,15}|[%°][^\d]{0,15})")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Row = dict[str, Any]


@dataclass
class ParsedTable:
    """The outcome of parsing one table.

    ``rows``: fully valid rows. ``broken``: rows present in the file with at least one bad cell,
    holding only the cells that parsed (and ``_line``). ``complete``: False when the file could not
    be read to its end (missing, not UTF-8, bad header, unreadable CSV), so other rows may exist.
    """

    rows: list[Row] = field(default_factory=list)
    broken: list[Row] = field(default_factory=list)
    complete: bool = True
    records: Sequence[Any] | None = None  # a valid table parsed column-wise (parse_bulk.py): its LazyRecords, no rows


def show(text: str) -> str:
    """A cell as quoted in a message: at most 40 characters, control characters escaped."""
    shown = text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in shown)


def decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    """UTF-8 (with or without BOM); on failure a problem naming the line of the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(file, line, None, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8")
        )
        return None


def parse_cell(col: Col, raw: str | None) -> tuple[Any, str | None]:
    """Parse one cell. Returns (value, error message or None). Empty → None."""
    text = (raw or "").strip()
    if text == "":
        return None, (f"'{col.name}' is required but empty" if col.required else None)
    kind = col.kind
    if kind in ("id", "ref"):
        if not _ID.fullmatch(text):
            return None, f"'{show(text)}' is not a valid id (letters, digits, _ . - only)"
        return text, None
    if kind == "text":
        formula = formula_problem(text)
        return (None, f"'{show(text)}' {formula}") if formula else (text, None)
    if kind == "float":
        return _parse_float(col, text)
    if kind == "enum":
        if text not in col.choices:
            return None, f"'{show(text)}' is not one of {', '.join(col.choices)}"
        return text, None
    if kind in ("list", "sources"):
        items = tuple(s.strip() for s in text.split(";") if s.strip())
        bad = [s for s in items if kind == "sources" and not _ID.fullmatch(s)]
        formula = next((f"'{show(s)}' {p}" for s in items if (p := formula_problem(s))), None)
        if formula:
            return None, formula
        if bad:
            return None, f"'{show(bad[0])}' is not a valid source id"
        return items, None
    if kind == "country":
        if not _COUNTRY.fullmatch(text):
            return None, f"'{show(text)}' is not an ISO 3166-1 alpha-2 code in capitals (e.g. KZ), or XX for international"
        return text, None
    if kind == "country_or_default":
        if text != "*" and not _COUNTRY.fullmatch(text):
            return None, f"'{show(text)}' is not an ISO 3166-1 alpha-2 code in capitals, XX for international waters, or * for the default"
        return text, None
    if kind == "gauges":
        return _parse_gauges(text)
    if kind == "date":
        return parse_date(text)
    if kind == "geometry":
        return parse_geometry(text)
    if kind == "months":
        return parse_months(text)
    if kind == "yesno":
        if text.lower() not in _YES:
            return None, f"'{show(text)}' is not yes or no"
        return _YES[text.lower()], None
    raise AssertionError(f"unknown column kind {kind}")  # a schema bug, not a data problem


def parse_months(text: str) -> tuple[tuple[float, ...] | None, str | None]:
    """Twelve relative weights ``Jan;Feb;…;Dec`` (numbers ≥ 0, at least one > 0): a seasonal profile."""
    items = [s.strip() for s in text.split(";")]
    if len(items) != 12:
        return None, f"'{show(text)}' has {len(items)} value(s): give 12 weights separated by ; (January first)"
    out = []
    for month, item in enumerate(items, 1):
        try:
            v = float(item)
        except ValueError:
            return None, f"month {month} weight '{show(item)}' is not a number"
        if not math.isfinite(v) or v < 0:
            return None, f"month {month} weight '{show(item)}' must be a finite number >= 0"
        out.append(v)
    if not any(out):
        return None, "all 12 month weights are 0: give at least one positive weight"
    return tuple(out), None


def parse_date(text: str) -> tuple[date | None, str | None]:
    """An ISO calendar date YYYY-MM-DD (the only form accepted: no times, no other orders)."""
    if not _ISO_DATE.fullmatch(text):
        return None, f"'{show(text)}' is not a date as YYYY-MM-DD"
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"'{show(text)}' is not a calendar date"


def parse_geometry(text: str) -> tuple[tuple[tuple[float, float], ...] | None, str | None]:
    """A polyline ``lon lat;lon lat;...`` (decimal degrees, longitude first as in GeoJSON) → ((lon, lat), ...).
    Only the syntax is checked here; bounds, ends and length are validation rules (validate.py)."""
    points = []
    for i, part in enumerate(text.split(";"), start=1):
        xy = part.split()
        values = [_finite(v) for v in xy]
        lon, lat = values if len(values) == 2 else (None, None)
        if lon is None or lat is None:
            return None, f"point {i} '{show(part.strip())}' is not 'lon lat' (two numbers separated by a space; points separated by ;)"
        points.append((lon, lat))
    return tuple(points), None


def _finite(text: str) -> float | None:
    try:
        value = strict_float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_float(col: Col, text: str) -> tuple[float | None, str | None]:
    try:
        value = strict_float(text)  # ASCII digits only: no 3_02, no ٣٠٢
    except (ValueError, OverflowError):
        return None, f"'{show(text)}' is not a number{_number_hint(col, text)}"
    if math.isnan(value) or math.isinf(value):
        return None, f"'{show(text)}' is not a finite number"
    if col.positive and value <= 0:
        return None, f"{show(text)} must be greater than 0"
    if col.min is not None and value < col.min:
        return None, f"{show(text)} is below the minimum {col.min:g}"
    if col.max is not None and value > col.max:
        return None, f"{show(text)} is above the plausible maximum {col.max:g}"
    return value, None


def _number_hint(col: Col, text: str) -> str:
    """Why a cell is not a number, when a common slip explains it: a unit, a decimal comma."""
    compact = text.replace(" ", "").replace("\u00a0", "")
    if compact != text and _is_float(compact):
        return f": write it without spaces ({compact})"
    unit = _WITH_UNIT.fullmatch(text)
    if unit and unit.group(2).strip().lower() != "e":
        return f": write {unit.group(1)} only, the unit is the one in the column name '{col.name}'"
    if _DECIMAL_COMMA.fullmatch(text):
        return f": use a point as the decimal separator ({text.replace(',', '.')})"
    return ""


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_gauges(text: str) -> tuple[tuple[int, ...] | None, str | None]:
    out = []
    for part in text.split(";"):
        part = part.strip()
        if not (part.isascii() and part.isdigit()) or len(part) > 6:
            return None, f"'{show(part)}' is not a gauge in mm"
        g = int(part)
        if g not in GAUGES_MM:
            return None, f"gauge {g} mm is not one of {', '.join(map(str, GAUGES_MM))}"
        out.append(g)
    return tuple(sorted(set(out))), None


def parse_table(table: Table, text: str, problems: list[Problem]) -> list[Row]:
    """Parse CSV text; return the valid typed rows (each with '_line'); append problems."""
    return parse_table_full(table, text, problems).rows


def parse_table_full(table: Table, text: str, problems: list[Problem]) -> ParsedTable:
    """Parse CSV text into valid and broken rows; append every problem found."""
    out = ParsedTable()
    if _has_nul(table.file, text, problems):
        out.complete = False
        return out
    records = _records(table.file, text, problems)
    out.complete = records.complete
    if not records.rows or not any(c.strip() for c in records.rows[0][1]):
        problems.append(Problem(table.file, 1, None, "the file is empty: it needs a header line"))
        out.complete = False
        return out
    header = [h.strip() for h in records.rows[0][1]]
    if not _check_header(table, header, problems):
        out.complete = False
        return out
    for line, cells in records.rows[1:]:
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            problems.append(Problem(table.file, line, None, f"the line has {len(cells)} cells but the header has {len(header)}"))
            out.broken.append(_salvage_key(table, header, cells, line))
            continue
        row, ok = _parse_row(table, dict(zip(header, cells, strict=True)), line, problems)
        (out.rows if ok else out.broken).append(row)
    return out


def _has_nul(file: str, text: str, problems: list[Problem]) -> bool:
    if "\x00" not in text:
        return False
    line = text[: text.index("\x00")].count("\n") + 1
    problems.append(Problem(file, line, None, "contains a NUL byte: the file is binary or damaged; save it as UTF-8 CSV text"))
    return True


@dataclass
class _Records:
    rows: list[tuple[int, list[str]]]
    complete: bool


def _records(file: str, text: str, problems: list[Problem]) -> _Records:
    """CSV records with the spreadsheet line each starts on; stops at the first unreadable record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return _Records(rows, True)
        except csv.Error as exc:
            problems.append(Problem(file, start, None, f"not readable as CSV from this line on: {exc}"))
            return _Records(rows, False)
        if reader.line_num > start or any("\n" in c or "\r" in c for c in cells):
            problems.append(
                Problem(file, start, None, f"a quoted cell runs over several lines (to line {reader.line_num}): check for an unbalanced quote \"")
            )
            return _Records(rows, False)
        rows.append((start, cells))


def _check_header(table: Table, header: list[str], problems: list[Problem]) -> bool:
    ok = True
    known = set(table.names)
    for name in header:
        if name not in known:
            problems.append(Problem(table.file, 1, show(name), f"unknown column '{show(name)}' (expected: {', '.join(table.names)})"))
            ok = False
    seen: set[str] = set()
    for name in header:
        if name in seen and name in known:
            problems.append(Problem(table.file, 1, name, f"column '{name}' appears twice"))
            ok = False
        seen.add(name)
    for col in table.cols:
        if col.name not in seen and (col.required or col.kind == "sources" and _covers_required(table, col.name)):
            problems.append(Problem(table.file, 1, col.name, f"required column '{col.name}' is missing"))
            ok = False
    return ok


def _num(value: Any) -> str:
    return ";".join(f"{v:g}" for v in value) if isinstance(value, tuple) else f"{value:g}"


def _covers_required(table: Table, src_name: str) -> bool:
    return any(c.src == src_name and c.required for c in table.cols)


def _salvage_key(table: Table, header: list[str], cells: list[str], line: int) -> Row:
    """The key cells of a row with the wrong number of cells, where they parse (best effort)."""
    row: Row = {"_line": line}
    for name in table.key:
        i = header.index(name)
        if i < len(cells):
            value, err = parse_cell(table.col(name), cells[i])
            if err is None:
                row[name] = value
    return row


def _parse_row(table: Table, cells: dict[str, str], line: int, problems: list[Problem]) -> tuple[Row, bool]:
    """Typed row and whether every cell parsed; a broken row keeps only its good cells."""
    row: Row = {"_line": line}
    bad: set[str] = set()
    for col in table.cols:
        value, err = parse_cell(col, cells.get(col.name))
        if err:
            problems.append(Problem(table.file, line, col.name, err))
            bad.add(col.name)
        else:
            row[col.name] = value
    unsourced: set[str] = set()  # report each empty source column once per row
    for col in table.cols:
        if col.src and col.src not in bad | unsourced and row.get(col.name) is not None and not row.get(col.src):
            problems.append(
                Problem(table.file, line, col.src, f"'{col.name}' = {_num(row[col.name])} has no source: name a source id or an assumption")
            )
            unsourced.add(col.src)  # the values are valid: the row stays so cross-table rules still check it
    return row, not bad
