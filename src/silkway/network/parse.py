"""Pure parsing of CSV text into typed rows, collecting every problem (no file I/O here)."""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any

from silkway.errors import Problem
from silkway.network.schema import GAUGES_MM, Col, Table

_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_YES = {"yes": True, "true": True, "y": True, "1": True, "no": False, "false": False, "n": False, "0": False}

Row = dict[str, Any]


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
        if not _ID.match(text):
            return None, f"'{text}' is not a valid id (letters, digits, _ . - only)"
        return text, None
    if kind == "text":
        return text, None
    if kind == "float":
        return _parse_float(col, text)
    if kind == "enum":
        if text not in col.choices:
            return None, f"'{text}' is not one of {', '.join(col.choices)}"
        return text, None
    if kind in ("list", "sources"):
        items = tuple(s.strip() for s in text.split(";") if s.strip())
        bad = [s for s in items if kind == "sources" and not _ID.match(s)]
        if bad:
            return None, f"'{bad[0]}' is not a valid source id"
        return items, None
    if kind == "country":
        if not _COUNTRY.match(text):
            return None, f"'{text}' is not an ISO 3166-1 alpha-2 code in capitals (e.g. KZ), or XX for international"
        return text, None
    if kind == "gauges":
        return _parse_gauges(text)
    if kind == "yesno":
        if text.lower() not in _YES:
            return None, f"'{text}' is not yes or no"
        return _YES[text.lower()], None
    raise AssertionError(f"unknown column kind {kind}")  # a schema bug, not a data problem


def _parse_float(col: Col, text: str) -> tuple[float | None, str | None]:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        return None, f"'{text}' is not a number"
    if math.isnan(value) or math.isinf(value):
        return None, f"'{text}' is not a finite number"
    if col.positive and value <= 0:
        return None, f"{text} must be greater than 0"
    if col.min is not None and value < col.min:
        return None, f"{text} is below the minimum {col.min:g}"
    if col.max is not None and value > col.max:
        return None, f"{text} is above the plausible maximum {col.max:g}"
    return value, None


def _parse_gauges(text: str) -> tuple[tuple[int, ...] | None, str | None]:
    out = []
    for part in text.split(";"):
        part = part.strip()
        try:
            g = int(part)
        except ValueError:
            return None, f"'{part}' is not a gauge in mm"
        if g not in GAUGES_MM:
            return None, f"gauge {g} mm is not one of {', '.join(map(str, GAUGES_MM))}"
        out.append(g)
    return tuple(sorted(set(out))), None


def parse_table(table: Table, text: str, problems: list[Problem]) -> list[Row]:
    """Parse CSV text; return typed rows (each with '_line' and '_src'); append problems."""
    file = table.file
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as exc:
        problems.append(Problem(file, None, None, f"not a readable CSV file: {exc}"))
        return []
    if not rows or not any(c.strip() for c in rows[0]):
        problems.append(Problem(file, 1, None, "the file is empty: it needs a header line"))
        return []
    header = [h.strip() for h in rows[0]]
    if not _check_header(table, header, problems):
        return []
    out: list[Row] = []
    for i, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            problems.append(Problem(file, i, None, f"the line has {len(cells)} cells but the header has {len(header)}"))
            continue
        row = _parse_row(table, dict(zip(header, cells)), i, problems)
        if row is not None:
            out.append(row)
    return out


def _check_header(table: Table, header: list[str], problems: list[Problem]) -> bool:
    ok = True
    known = set(table.names)
    for name in header:
        if name not in known:
            problems.append(Problem(table.file, 1, name, f"unknown column '{name}' (expected: {', '.join(table.names)})"))
            ok = False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(table.file, 1, name, f"column '{name}' appears twice"))
            ok = False
        seen.add(name)
    for col in table.cols:
        if col.name not in seen and (col.required or col.kind == "sources" and _covers_required(table, col.name)):
            problems.append(Problem(table.file, 1, col.name, f"required column '{col.name}' is missing"))
            ok = False
    return ok


def _covers_required(table: Table, src_name: str) -> bool:
    return any(c.src == src_name and c.required for c in table.cols)


def _parse_row(table: Table, cells: dict[str, str], line: int, problems: list[Problem]) -> Row | None:
    row: Row = {"_line": line}
    ok = True
    for col in table.cols:
        value, err = parse_cell(col, cells.get(col.name))
        if err:
            problems.append(Problem(table.file, line, col.name, err))
            ok = ok and not col.required
        row[col.name] = value
    for col in table.cols:
        if col.src and row.get(col.name) is not None and not row.get(col.src):
            problems.append(Problem(table.file, line, col.src, f"'{col.name}' = {row[col.name]:g} has no source: name a source id or an assumption"))
    return row if ok else None
