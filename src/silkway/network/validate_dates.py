"""Validation rules of dated rows: periods in order, no overlap and no gap between the rows of one id, a reference
date to default to (docs/dataset-format.md, "Dated rows"). Located problems, like :mod:`silkway.network.validate`."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from silkway.errors import Problem
from silkway.network.columns import View, duplicated, rows_of
from silkway.network.model import Network
from silkway.network.schema import MANIFEST_FILE, TABLES
from silkway.network.validate_traffic import _p  # one located-problem helper for the split rule modules


def has_dated_rows(v: View, name: str | None = None) -> bool:
    """True when some row of table ``name`` (default: of any dated table) carries a validity period."""
    names = [name] if name else [n for n, t in TABLES.items() if t.dated]
    return any(v.cols(n).column(c).null_count < len(v.net.table(n)) for n in names for c in ("valid_from", "valid_to"))


def dated_keys(v: View, name: str, problems: list[Problem]) -> None:
    """Periods in order, no two rows of one key holding on the same day, no day without a row between a key's
    first and last period (a gap: the link or facility would vanish and come back), a reference date to
    default to."""
    table, net = TABLES[name], v.net
    if has_dated_rows(v, name):
        records: Any = net.table(name)
    else:  # undated (a big network usually): only duplicates to find, among the rows whose key repeats
        records = v.records(name, rows_of(duplicated(v, name, table.key)))
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for rec in records:
        if rec.valid_from and rec.valid_to and rec.valid_to < rec.valid_from:
            _p(problems, name, rec, "valid_to", f"valid_to {rec.valid_to} is before valid_from {rec.valid_from}")
            continue
        by_key.setdefault(tuple(getattr(rec, k) for k in table.key), []).append(rec)
    dated = [r for r in records if r.valid_from or r.valid_to]
    if dated and net.manifest.reference_date is None and net.manifest.name != "?":  # "?": rows checked without their manifest
        _p(problems, name, dated[0], "valid_from", f"{table.file} has dated rows: {MANIFEST_FILE} needs a reference_date (the default --as-of)")
    label = "/".join(table.key)
    for key, recs in by_key.items():
        recs.sort(key=lambda r: (r.valid_from or date.min, r.line or 0))
        for prev, rec in itertools.pairwise(recs):
            shown = "/".join(map(str, key))
            prev_end = prev.valid_to or date.max
            start = rec.valid_from or date.min
            where = f" on line {prev.line}" if prev.line else ""
            if start <= prev_end and not (prev.valid_from or prev.valid_to or rec.valid_from or rec.valid_to):
                _p(problems, name, rec, table.key[-1], f"duplicate {label} '{shown}'{' (first' + where + ')' if where else ''}")
            elif start <= prev_end:
                _p(problems, name, rec, "valid_from", f"{label} '{shown}' already holds on {max(start, prev.valid_from or start)} (row{where}, "
                   f"{_period(prev)}): the periods of rows with the same {label} must not overlap")
            elif start - prev_end > timedelta(days=1):
                _p(problems, name, rec, "valid_from", f"{label} '{shown}' has no row from {prev_end + timedelta(days=1)} to "
                   f"{start - timedelta(days=1)} (previous row{where} ends {prev_end}): close the gap; use closures.csv for a temporary closure")


def without_reversed_periods(net: Network) -> Network:
    def fix(r: Any) -> Any:
        return replace(r, valid_from=None, valid_to=None) if r.valid_from and r.valid_to and r.valid_to < r.valid_from else r

    tables: dict[str, Any] = {name: tuple(fix(r) for r in net.table(name)) for name, t in TABLES.items() if t.dated}
    return replace(net, **tables)


def _period(rec: Any) -> str:
    return f"valid from {rec.valid_from or 'the beginning'} to {rec.valid_to or 'open end'}"
