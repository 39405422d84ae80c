"""A network's tables as Arrow columns, for validation rules that screen every row at once.

The rules in :mod:`silkway.network.validate` (and its split modules) work in two steps: a *screen* over whole columns
(numpy / pyarrow) finds the rows that may break a rule, then the rule's own row-by-row code runs on those rows only
and writes the located problem (file, line, field, message). A screen may pick rows that turn out fine; it must never
miss one (a margin covers floating-point differences between numpy and ``math``). Setting :data:`SCREEN` to False
makes every row a candidate: the row code then sees every row, as it did before screening, which the tests use to
check that screening reports exactly the same problems.

Records are built only for the rows the row code looks at (:meth:`LazyRecords.take`): a valid big dataset is
validated without building its millions of records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from silkway.network.cache import LazyRecords, to_arrow
from silkway.network.model import Network
from silkway.network.schema import TABLES

SCREEN = True  # False: every row is a candidate (the tests compare both)
EARTH_KM = 6371.0088


def rows_of(mask: Any) -> list[int]:
    """Row positions where ``mask`` (numpy or Arrow booleans; null = False) is true; every row when not screening."""
    if isinstance(mask, pa.Array | pa.ChunkedArray):
        mask = pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
    mask = np.asarray(mask, dtype=bool)
    return list(range(len(mask))) if not SCREEN else np.flatnonzero(mask).tolist()


def gc_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distances, km (numpy; the formula of :func:`silkway.network.validate.great_circle_km`)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def margin(x: Any) -> Any:
    """How far a numpy result may be from the row code's ``math`` one (a few ulps, made generous)."""
    return 1e-9 * (np.abs(x) + 1.0)


def last_index(values: Any, keys: Any) -> Any:
    """Index of each value among ``keys``, the last occurrence (a dict built row by row keeps the last); -1 if absent.

    A few values among many keys (a facility's node among a million): the keys are first narrowed to those values, so
    the hash table is built on the few."""
    n = len(keys)
    if n == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    where = None
    if 4 * len(values) < n:
        where = np.flatnonzero(pc.is_in(keys, value_set=pc.unique(values)).to_numpy(zero_copy_only=False))
        keys = keys.take(pa.array(where))
        n = len(keys)
        if n == 0:
            return np.full(len(values), -1, dtype=np.int64)
    rev = pc.index_in(values, value_set=keys[::-1])
    idx = pc.fill_null(rev, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    idx = np.where(idx < 0, -1, n - 1 - idx)
    if where is not None:
        idx = np.where(idx < 0, -1, where[np.maximum(idx, 0)])
    return idx


def duplicated(v: View, name: str, keys: Sequence[str]) -> Any:
    """Rows of table ``name`` whose key (the values of ``keys``) appears on more than one row (numpy booleans)."""
    table = v.cols(name)
    n = table.num_rows
    if len(keys) == 1:
        key = table.column(keys[0]).combine_chunks()
        distinct = v.n_distinct(name, keys[0])
    else:
        key = pc.binary_join_element_wise(*(pc.cast(table.column(k), pa.string()) for k in keys), "\x1f").combine_chunks()
        distinct = pc.count_distinct(key, mode="all").as_py()
    if n == 0 or distinct == n:
        return np.zeros(n, dtype=bool)
    counts = pc.value_counts(key)
    twice = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    return pc.fill_null(pc.is_in(key, value_set=twice), True).to_numpy(zero_copy_only=False)


class View:
    """One network's tables as Arrow columns (built once), its records by row, and id lookups that build only the
    records asked for."""

    def __init__(self, net: Network):
        self.net = net
        self._cols: dict[str, pa.Table] = {}
        self._lookups: dict[str, Lookup] = {}
        self._memo: dict[Any, Any] = {}

    def memo(self, key: Any, make: Any) -> Any:
        """``make()``, computed once per view (several rules share it)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def n_distinct(self, name: str, column: str) -> int:
        """How many distinct values the column holds (null counts as one)."""
        return int(self.memo(("distinct", name, column), lambda: pc.count_distinct(self.col(name, column), mode="all").as_py()))

    def cols(self, name: str) -> pa.Table:
        if name not in self._cols:
            self._cols[name] = to_arrow(TABLES[name], self.net.table(name))
        return self._cols[name]

    def col(self, name: str, column: str) -> pa.Array:
        return self.cols(name).column(column).combine_chunks()

    def records(self, name: str, rows: Sequence[int]) -> list[Any]:
        recs = self.net.table(name)
        if isinstance(recs, LazyRecords):
            return recs.take(rows)
        return [recs[i] for i in rows]

    def lookup(self, name: str) -> Lookup:
        """``{id: record}`` of a table keyed by one id column (nodes, links, facilities), as ``Network.node_by_id``."""
        if name not in self._lookups:
            self._lookups[name] = Lookup(self, name)
        return self._lookups[name]

    def split(self, name: str, column: str) -> tuple[Any, pa.Array]:
        """The items of a ';'-joined list column: (row of each item, item)."""
        lists = pc.split_pattern(self.col(name, column), ";")
        return pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), pc.list_flatten(lists)


class Lookup(Mapping[str, Any]):
    """A table's ``{id: record}`` (the last row of an id wins, as in ``Network.node_by_id``), found column-wise: only
    the records looked up are built; :meth:`fetch` looks many up at once."""

    def __init__(self, view: View, name: str):
        self._view, self._name = view, name
        self._key = TABLES[name].key[0]
        self._found: dict[str, Any] = {}
        self._absent: set[str] = set()

    def ids(self) -> pa.Array:
        return self._view.col(self._name, self._key)

    def fetch(self, ids: Iterable[Any]) -> None:
        want = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i not in self._found and i not in self._absent]
        if not want:
            return
        idx = last_index(pa.array(want, type=pa.string()), self.ids())
        hit = [(w, int(i)) for w, i in zip(want, idx.tolist(), strict=True) if i >= 0]
        self._absent.update(w for w, i in zip(want, idx.tolist(), strict=True) if i < 0)
        for (w, _), rec in zip(hit, self._view.records(self._name, [i for _, i in hit]), strict=True):
            self._found[w] = rec

    def __getitem__(self, key: str) -> Any:
        self.fetch([key])
        return self._found[key]

    def __contains__(self, key: object) -> bool:
        self.fetch([key])
        return key in self._found

    def __iter__(self) -> Iterator[str]:
        names = self._view.memo(("ids", self._name), lambda: pc.unique(self.ids()).to_pylist())
        return iter(names)  # first-occurrence order, as a dict built row by row

    def __len__(self) -> int:
        return self._view.n_distinct(self._name, self._key) - int(self.ids().null_count > 0)
