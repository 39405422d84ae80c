"""Strict constraints: what a route must avoid, resolved from tolerant user input."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from silkway.errors import RoutingError
from silkway.network.model import Network
from silkway.network.places import PLACES_HINT, country_index, country_name, name_index, normalize, resolve_place
from silkway.network.schema import MODES

if TYPE_CHECKING:
    import numpy as np

    from silkway.routing.stategraph import StateGraph


@dataclass(frozen=True, slots=True)
class Avoid:
    """Resolved avoid-set. ``labels`` keeps the user's wording for messages, in order."""

    countries: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str], ...] = ()  # (kind, value) e.g. ("country", "RU")

    def __bool__(self) -> bool:
        return bool(self.countries or self.nodes or self.modes)

    def without(self, label: tuple[str, str]) -> Avoid:
        kind, value = label
        return Avoid(
            self.countries - {value} if kind == "country" else self.countries,
            self.nodes - {value} if kind == "node" else self.nodes,
            self.modes - {value} if kind == "mode" else self.modes,
            tuple(lb for lb in self.labels if lb != label),
        )

    def describe(self, label: tuple[str, str], net: Network) -> str:
        kind, value = label
        if kind == "node":
            return f"avoid node {net.node_by_id[value].name}"
        if kind == "country":
            return f"avoid country {value} ({country_name(value)})"
        return f"avoid {kind} {value}"


def dataset_countries(net: Network) -> frozenset[str]:
    """Country codes of the nodes and of the links (``country`` and ``via_countries``), from the compiled columns."""
    from silkway.network.graph import compiled

    cn = compiled(net)
    return frozenset(cn.countries).union(cn.link_countries, *cn.via_countries.values())


MODE_GROUPS = {"water": ("ferry", "feeder", "sea")}  # one word for every mode that crosses water


def parse_avoid(net: Network, items: tuple[str, ...] | list[str], index: Mapping[str, str] | None = None,
                known: frozenset[str] | None = None, countries_by_name: dict[str, str] | None = None) -> Avoid:
    """Each item is a country code or English name (``RU``, ``Russia``, ``Türkiye``/``Turkey``), a mode
    (``ferry``), ``water`` (ferry, feeder and sea) or a place (tolerant name).

    A two-letter item is read as a country code when the dataset has that country; a two-letter item
    that is neither a country of the dataset nor a place is rejected (no silent no-op), and so is a country
    name of a country the dataset does not have."""
    countries, nodes, modes, labels = set(), set(), set(), []
    known = known if known is not None else dataset_countries(net)
    idx = index if index is not None else name_index(net)
    by_name = countries_by_name if countries_by_name is not None else country_index(known)
    for raw in items:
        item = raw.strip()
        if not item:
            raise RoutingError("an empty avoid value avoids nothing (no silent no-op): give a country code, place or mode")
        if item.upper() in known and len(item) == 2:
            countries.add(item.upper())
            labels.append(("country", item.upper()))
        elif item.lower() in MODES:
            modes.add(item.lower())
            labels.append(("mode", item.lower()))
        elif item.lower() in MODE_GROUPS and normalize(item) not in idx:
            for mode in MODE_GROUPS[item.lower()]:
                modes.add(mode)
                labels.append(("mode", mode))
        elif normalize(item) in by_name and normalize(item) not in idx:
            code = by_name[normalize(item)]
            countries.add(code)
            labels.append(("country", code))
        elif len(item) == 2 and normalize(item) not in idx:
            raise RoutingError(f"cannot avoid '{item}': no such country in this dataset (countries: {_listing(known)}). {PLACES_HINT}")
        else:
            try:
                nid = resolve_place(net, item, idx)
            except RoutingError as exc:
                raise RoutingError(f"cannot avoid '{item}': it is no country of this dataset ({_listing(known)}), no mode "
                                   f"({', '.join(MODES)}, water) and {str(exc)[0].lower()}{str(exc)[1:]}") from None
            nodes.add(nid)
            labels.append(("node", nid))
    return Avoid(frozenset(countries), frozenset(nodes), frozenset(modes), tuple(dict.fromkeys(labels)))


def _listing(codes: frozenset[str]) -> str:
    return ", ".join(f"{c} {country_name(c)}" if country_name(c) != c else c for c in sorted(codes))


def allowed_arcs(graph: StateGraph, avoid: Avoid) -> np.ndarray:
    """One flag per arc of ``graph`` (a StateGraph): False when the arc touches anything avoided."""
    if not avoid:
        import numpy

        return numpy.ones(len(graph.head), dtype=numpy.bool_)
    return graph.allowed_mask(frozenset(avoid.nodes), frozenset(avoid.countries), frozenset(avoid.modes))


def check_endpoint(net: Network, node_id: str, avoid: Avoid, role: str) -> None:
    node = net.node_by_id[node_id]
    if node_id in avoid.nodes:
        raise RoutingError(f"the {role} {node.name} is itself avoided (avoid node {node.name})")
    if node.country in avoid.countries:
        raise RoutingError(f"the {role} {node.name} lies in {country_name(node.country)} ({node.country}), which is avoided "
                           f"(avoid country {node.country})")
