"""Tolerant place and country names: case, diacritics, punctuation and aliases; "did you mean" suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

from silkway.errors import RoutingError
from silkway.network.model import Network, Node

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
PLACES_HINT = "Run 'silkway places [QUERY]' to list places and countries."

# English names (and common other spellings) of the countries a corridor dataset may hold, by ISO 3166 code. Only
# the countries present in a network are accepted for it (:func:`country_index`); a code missing here is still
# accepted as a code.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "AT": ("Austria",), "AZ": ("Azerbaijan",), "BG": ("Bulgaria",), "BY": ("Belarus", "Byelorussia"),
    "CN": ("China", "PRC", "People's Republic of China"), "DE": ("Germany", "Deutschland"), "EG": ("Egypt",),
    "GE": ("Georgia", "Sakartvelo"), "HU": ("Hungary",), "IR": ("Iran", "Persia"), "KG": ("Kyrgyzstan", "Kyrgyz Republic"),
    "KZ": ("Kazakhstan", "Qazaqstan"), "LT": ("Lithuania",), "LV": ("Latvia",), "MN": ("Mongolia",),
    "NL": ("Netherlands", "Holland", "The Netherlands"), "PL": ("Poland", "Polska"), "RO": ("Romania",),
    "RS": ("Serbia",), "RU": ("Russia", "Russian Federation"), "SK": ("Slovakia",), "TM": ("Turkmenistan",),
    "TR": ("Türkiye", "Turkey", "Turkiye"), "UA": ("Ukraine",), "UZ": ("Uzbekistan",),
    "XX": ("open sea",),  # the ``country`` of a link in international waters
}


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, (code,))[0]


def network_countries(net: Network) -> frozenset[str]:
    """Country codes of the nodes and of the links (``country`` and ``via_countries``); ``XX`` (open sea) excluded."""
    out = {n.country for n in net.nodes}
    for lk in net.links:
        out.update(lk.countries)
    return frozenset(out - {"XX"})


def country_index(countries: frozenset[str]) -> dict[str, str]:
    """Normalised code or name → country code, for the given countries only."""
    out: dict[str, str] = {}
    for code in sorted(countries):
        for spelling in (code, *COUNTRY_NAMES.get(code, ())):
            out.setdefault(normalize(spelling), code)
    return out


def normalize(name: str) -> str:
    """'Constanța' → 'constanta', "Xi'an" → 'xian', 'Baku / Alat' → 'bakualat'."""
    text = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", text.casefold())


_INDEXES: dict[int, PlaceIndex] = {}  # id(Arrow nodes table) -> its PlaceIndex, dropped when the table is collected


def name_index(net: Network) -> Mapping[str, str]:
    """Normalised spelling → node_id, from ids, names and aliases (the first node, and its id before its name before its
    aliases, where spellings collide). A big table from the dataset cache gives a :class:`PlaceIndex` over its columns
    (no record built); a small one a dict."""
    arrow = getattr(net.nodes, "columns", None)
    if arrow is not None:  # one index per table: the networks of a dataset's days share it, as the CLI's check and the router do
        hit = _INDEXES.get(id(arrow))
        if hit is None or hit._arrow is not arrow:
            hit = _INDEXES[id(arrow)] = PlaceIndex(arrow)
            weakref.finalize(arrow, _INDEXES.pop, id(arrow), None)
        return hit
    out: dict[str, str] = {}
    for n in net.nodes:
        for spelling in (n.node_id, n.name, *n.aliases):
            out.setdefault(normalize(spelling), n.node_id)
    return out


class PlaceIndex(Mapping[str, str]):
    """:func:`name_index` of a big nodes table, from its Arrow columns: every spelling normalised at once (pyarrow
    compute for ASCII text, :func:`normalize` itself for the rest), a name looked up by a vectorised search of that
    column (kept per name). Iterating it (the "did you mean" suggestions) builds the whole dict."""

    def __init__(self, arrow: Any):
        self._arrow = arrow
        self._keys: Any = None  # normalised spellings, node by node (id, name, aliases)
        self._owner: Any = None  # the row of each
        self._found: dict[str, str | None] = {}
        self._dict: dict[str, str] | None = None

    def _spellings(self) -> tuple[Any, Any]:
        if self._keys is None:
            import numpy as np
            import pyarrow as pa
            import pyarrow.compute as pc

            n = self._arrow.num_rows
            aliases = pc.split_pattern(self._arrow.column("aliases").combine_chunks(), ";")
            parts = [self._arrow.column("node_id").combine_chunks(), self._arrow.column("name").combine_chunks(),
                     pc.list_flatten(aliases)]
            rows = [np.arange(n), np.arange(n), np.asarray(pc.list_parent_indices(aliases), dtype=np.int64)]
            owner = np.concatenate(rows)
            order = np.argsort(owner, kind="stable")  # node by node: its id, its name, its aliases in order
            keys = pa.concat_arrays([normalize_column(p) for p in parts]).take(pa.array(order))
            self._keys, self._owner = keys, owner[order]
        return self._keys, self._owner

    def _lookup(self, key: str) -> str | None:
        if self._dict is not None:
            return self._dict.get(key)
        if key not in self._found:
            import pyarrow.compute as pc

            keys, owner = self._spellings()
            at = pc.index(keys, key).as_py()
            if len(self._found) >= 4096:
                self._found.clear()
            self._found[key] = None if at < 0 else str(self._arrow.column("node_id")[int(owner[at])].as_py())
        return self._found[key]

    def _all(self) -> dict[str, str]:
        if self._dict is None:
            keys, owner = self._spellings()
            ids = self._arrow.column("node_id").to_pylist()
            out: dict[str, str] = {}
            for k, row in zip(keys.to_pylist(), owner.tolist(), strict=True):
                if k not in out:
                    out[k] = ids[row]
            self._dict = out
        return self._dict

    def __getitem__(self, key: str) -> str:
        node = self._lookup(key) if isinstance(key, str) else None
        if node is None:
            raise KeyError(key)
        return node

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def normalize_column(arr: Any) -> Any:
    """:func:`normalize` of every string of a pyarrow string array (no nulls): ASCII text in bulk (there NFKD changes
    nothing and casefold is lower), the rest one by one."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out = pc.replace_substring_regex(pc.ascii_lower(arr), _NON_ALNUM.pattern, "")
    other = np.flatnonzero(~np.asarray(pc.string_is_ascii(arr), dtype=np.bool_))
    if len(other):
        mask = np.zeros(len(arr), dtype=np.bool_)
        mask[other] = True
        fixed = [normalize(arr[int(i)].as_py()) for i in other]
        out = pc.replace_with_mask(out, pa.array(mask), pa.array(fixed, type=out.type))
    return out


def search_places(net: Network, query: str, limit: int | None = 10) -> list[Node]:
    """Nodes whose id, name or alias starts with or contains ``query`` (normalised), best first."""
    q = normalize(query)
    if not q:
        return []
    scored: list[tuple[int, str, Node]] = []
    for n in net.nodes:
        spellings = [normalize(s) for s in (n.node_id, n.name, *n.aliases)]
        if any(s == q for s in spellings):
            rank = 0
        elif any(s.startswith(q) for s in spellings):
            rank = 1
        elif any(q in s for s in spellings):
            rank = 2
        else:
            continue
        scored.append((rank, n.name, n))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [n for _, _, n in scored[:limit]]


def resolve_place(net: Network, name: str, index: Mapping[str, str] | None = None) -> str:
    """Return the node_id for ``name`` or raise RoutingError with suggestions."""
    idx = index if index is not None else name_index(net)
    key = normalize(name)
    if key in idx:
        return idx[key]
    close = difflib.get_close_matches(key, list(idx), n=3, cutoff=0.6)
    names = []
    for c in close:
        label = net.node_by_id[idx[c]].name
        if label not in names:
            names.append(label)
    hint = f" Did you mean: {', '.join(names)}? " if names else " "
    raise RoutingError(f"unknown place '{name}'.{hint}{PLACES_HINT}")
