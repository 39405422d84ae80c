"""Tolerant place names: case, diacritics, punctuation and aliases; "did you mean" suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata

from silkway.errors import RoutingError
from silkway.network.model import Network, Node

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


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


def search_places(net: Network, query: str, limit: int = 10) -> list[Node]:
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
    hint = f" Did you mean: {', '.join(names)}?" if names else " Run 'silkway network' to list places."
    raise RoutingError(f"unknown place '{name}'.{hint}")
