"""A parsed copy of a typical-waits CSV in the dataset cache, so ``silkway route`` does not parse and check the
≈ 7,500 rows (≈ 0.15 s of CPU, benchmarks/RESULTS.md "Issue 16, session 8") at every start.

An entry is one file, ``<cache>/waits/<key>.bin``: a JSON line (format, key, the provenance lines, the as-of days with
their elements in file order, the BLAKE2b digest of the values) then the values as little-endian float64, one block of
13 months × (mean, 9 quantiles) per element; a month without a row has a NaN mean, a month without quantiles (a
means-only file) a NaN first quantile. A parsed file never holds NaN (every value is checked to lie in a range), so
the NaNs stand only for what is absent. The numbers are the parser's own floats written as they are: a load gives the
same values to the bit (tests/routing/test_waits_cache.py).

The key is a BLAKE2b digest of the CSV's bytes, the source of the parsing code (this module, ``services/conditions.py``,
``routing/conditions.py``) and silkway's version: an edited CSV or a new parsing rule never reads a stale entry. Only a
file that parsed without error is stored, so a bad file is re-read and its error reported every time. An entry is
written atomically (``silkway.atomic``); one that fails any check (size, digest, JSON) is deleted and rebuilt. Where:
the dataset cache's folder (``silkway.network.cache.default_cache_dir``: ``SILKWAY_CACHE_DIR``, off when empty or
``off``); a cache that cannot be written is skipped silently.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from silkway.errors import SilkwayError
from silkway.routing.conditions import ElementKind

FORMAT = 1
MONTHS, VALUES = 13, 10  # year + 12 months; mean + the 9 quantiles of routing.conditions.QUANTILE_LEVELS
_CODE = ("services/waits_cache.py", "services/conditions.py", "routing/conditions.py")  # the parse's rules

Parsed = dict[str, dict[Any, tuple[list[float], list[tuple[float, ...] | None]]]]
Read = tuple[dict[str, str], Mapping[str, dict[Any, tuple[list[float], list[tuple[float, ...] | None]]]]]


def cache_key(data: bytes) -> str:
    """The entry's name for a CSV of these bytes, parsed by this version of the code."""
    from silkway import __version__

    package = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(f"silkway {__version__} waits {FORMAT}".encode(), digest_size=20)
    for name in _CODE:
        h.update(b"\0" + name.encode() + b"\0" + (package / name).read_bytes())
    h.update(b"\0csv\0" + data)
    return h.hexdigest()


def cache_folder() -> Path | None:
    """``<dataset cache>/waits``; None when caching is off or the folder would be inside the installed package."""
    from silkway.network.cache import default_cache_dir

    root = default_cache_dir()
    if root is None:
        return None
    package = Path(__file__).resolve().parents[1]
    real = root.resolve()
    return None if real == package or package in real.parents else root / "waits"


def cached(data: bytes, parse: Callable[[], Read], folder: Path | None = None) -> Read:
    """``parse()``'s result for a CSV of bytes ``data``, from the cache when an intact entry exists (else parsed and
    stored). ``folder``: the cache folder (default :func:`cache_folder`)."""
    folder = cache_folder() if folder is None else folder
    if folder is None:
        return parse()
    key = cache_key(data)
    path = folder / f"{key}.bin"
    try:
        blob = path.read_bytes()
    except OSError:
        blob = None
    if blob is not None:
        got = _decode(blob, key)
        if got is not None:
            return got
        path.unlink(missing_ok=True)  # damaged or foreign: rebuilt below
    result = parse()
    try:
        from silkway.atomic import atomic_write_bytes

        atomic_write_bytes(path, encode(result, key))
    except (OSError, SilkwayError):  # read-only, disk full, a file where the folder should be (OutputPathError)
        pass
    return result


def encode(result: Read, key: str) -> bytes:
    head, by_day = result
    days, blocks = [], []
    for day, elements in by_day.items():
        days.append([day, [[str(k) for k in element] for element in elements]])
        for means, dists in elements.values():
            block = np.full((MONTHS, VALUES), np.nan)
            block[:, 0] = means
            for m, q in enumerate(dists):
                if q is not None:
                    block[m, 1:] = q
            blocks.append(block)
    values = (np.stack(blocks) if blocks else np.empty((0, MONTHS, VALUES))).astype("<f8").tobytes()
    meta = {"format": FORMAT, "key": key, "head": head, "days": days, "blake2b": _digest(values)}
    return json.dumps(meta, ensure_ascii=True, separators=(",", ":")).encode() + b"\n" + values


def _decode(blob: bytes, key: str) -> Read | None:
    """The parsed file stored in ``blob``; None when it is not an intact entry of ``key``. The days' elements are built
    when a day is first looked up (a route needs one as-of day of the three shipped)."""
    line, sep, values = blob.partition(b"\n")
    try:
        meta = json.loads(line)
        days = [(str(day), [tuple(map(str, element)) for element in elements]) for day, elements in meta["days"]]
        n = sum(len(elements) for _, elements in days)
        if not sep or meta["format"] != FORMAT or meta["key"] != key or len(values) != n * MONTHS * VALUES * 8:
            return None
        if meta["blake2b"] != _digest(values):
            return None
        head = {str(k): str(v) for k, v in meta["head"].items()}
        rows = np.frombuffer(values, dtype="<f8").reshape(n, MONTHS, VALUES)
        for _, elements in days:
            for element in elements:
                if len(element) != 3:
                    return None
                ElementKind(element[0])  # ValueError: not a kind
    except (ValueError, KeyError, TypeError):
        return None
    return head, LazyDays(days, rows)


class LazyDays(Mapping[str, dict[Any, tuple[list[float], list[tuple[float, ...] | None]]]]):
    """``{as_of: {element: (13 means, 13 quantile rows or None)}}`` as the parser returns it, each day built from the
    stored values when first looked up."""

    def __init__(self, days: list[tuple[str, list[tuple[str, ...]]]], rows: np.ndarray):
        self._days: dict[str, tuple[int, list[tuple[str, ...]]]] = {}
        start = 0
        for day, elements in days:
            self._days[day] = (start, elements)
            start += len(elements)
        self._rows = rows
        self._built: Parsed = {}

    def __getitem__(self, day: str) -> dict[Any, tuple[list[float], list[tuple[float, ...] | None]]]:
        if day not in self._built:
            start, elements = self._days[day]
            block = self._rows[start:start + len(elements)].tolist()  # Python floats, bit for bit
            self._built[day] = {(ElementKind(kind), target, node): ([r[0] for r in b], [None if r[1] != r[1] else tuple(r[1:]) for r in b])
                                for (kind, target, node), b in zip(elements, block, strict=True)}
        return self._built[day]

    def __iter__(self) -> Iterator[str]:
        return iter(self._days)

    def __len__(self) -> int:
        return len(self._days)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def clear(folder: Path | None = None) -> int:
    """Delete every entry (tests, a user freeing space); the number deleted."""
    folder = cache_folder() if folder is None else folder
    if folder is None or not folder.is_dir():
        return 0
    gone = 0
    for p in folder.glob("*.bin"):
        try:
            os.unlink(p)
            gone += 1
        except OSError:
            pass
    return gone
