"""Edit one thing in a copied dataset folder: a cell, a row, a column, a file."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_rows(folder: Path, file: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((folder / file).read_text(encoding="utf-8"), newline="")))


def write_rows(folder: Path, file: str, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (folder / file).write_text(buf.getvalue(), encoding="utf-8")


def line_of(folder: Path, file: str, key: str) -> int:
    """Spreadsheet line (header = 1) of the row whose first cell is ``key``."""
    for i, row in enumerate(read_rows(folder, file), start=1):
        if row and row[0] == key:
            return i
    raise KeyError(key)


def set_cell(folder: Path, file: str, key: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose first cell is ``key``; return that row's line."""
    rows = read_rows(folder, file)
    col = rows[0].index(column)
    line = line_of(folder, file, key)
    rows[line - 1][col] = value
    write_rows(folder, file, rows)
    return line


def set_cells(folder: Path, file: str, key: str, **values: str) -> int:
    line = 0
    for column, value in values.items():
        line = set_cell(folder, file, key, column, value)
    return line


def delete_row(folder: Path, file: str, key: str, second: str | None = None) -> None:
    """Delete the row whose first cell is ``key`` (and second cell ``second`` when given)."""
    rows = [r for r in read_rows(folder, file) if not (r and r[0] == key and (second is None or r[1] == second))]
    write_rows(folder, file, rows)


def append_row(folder: Path, file: str, cells: list[str]) -> int:
    rows = read_rows(folder, file)
    rows.append(cells)
    write_rows(folder, file, rows)
    return len(rows)


def copy_row(folder: Path, file: str, key: str) -> int:
    """Append a copy of the row whose first cell is ``key``; return the new line."""
    return append_row(folder, file, list(read_rows(folder, file)[line_of(folder, file, key) - 1]))


def drop_column(folder: Path, file: str, column: str) -> None:
    rows = read_rows(folder, file)
    i = rows[0].index(column)
    write_rows(folder, file, [r[:i] + r[i + 1 :] for r in rows])


def add_column(folder: Path, file: str, column: str, value: str = "") -> None:
    rows = read_rows(folder, file)
    write_rows(folder, file, [rows[0] + [column]] + [r + [value] for r in rows[1:]])


def replace_line(folder: Path, file: str, line: int, text: str | bytes) -> None:
    """Replace a physical line (1-based) with raw text or bytes."""
    lines = (folder / file).read_bytes().split(b"\n")
    lines[line - 1] = text if isinstance(text, bytes) else text.encode("utf-8")
    (folder / file).write_bytes(b"\n".join(lines))
