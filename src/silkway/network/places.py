"""Tolerant place and country names: case, diacritics, punctuation and aliases; "did you mean" suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata

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


def name_index(net: Network) -> dict[str, str]:
    """Normalised spelling → node_id, from ids, names and aliases."""
    out: dict[str, str] = {}
    for n in net.nodes:
        for spelling in (n.node_id, n.name, *n.aliases):
            out.setdefault(normalize(spelling), n.node_id)
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


def resolve_place(net: Network, name: str, index: dict[str, str] | None = None) -> str:
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
