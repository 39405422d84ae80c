"""Route-planning use cases shared by the CLI and the web: plan, serialise, GeoJSON."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict, Unpack

from silkway.network import Network
from silkway.network.model import Node
from silkway.network.places import country_index, country_name, network_countries, normalize, search_places
from silkway.routing import Router as Router  # re-exported: the type interfaces hold
from silkway.routing import RouteResult
from silkway.routing.conditions import Conditions
from silkway.routing.objectives import FIELD as FIELD  # re-exported: the figure each objective ranks by
from silkway.routing.objectives import shown as shown  # re-exported: the rounding the ranking uses
from silkway.routing.planner import conditions_of
from silkway.routing.planner import route_day as route_day  # re-exported: the interfaces parse a route day here
from silkway.routing.planner import router_at as router_at  # re-exported: the web app keeps one router per day
from silkway.services.network import load_dated
from silkway.vocabulary import Objective

PathLike = str | os.PathLike[str] | None


def router_for(dataset: PathLike = None, net: Network | None = None, *, as_of: date | str | None = None,
               depart: date | datetime | str | None = None) -> Router:
    """A planner for a dataset folder (embedded 'eurasia' when None) or an already loaded network, on the network of
    ``as_of`` if given, else of the departure day, else of the dataset's reference date. Routers are kept per
    period of the dated network (:func:`silkway.routing.planner.router_at`)."""
    full = net if net is not None else load_dated(dataset)
    day = route_day(as_of, depart)
    return router_at(full, day if day is not None else (full.as_of or full.manifest.reference_date))


def network_day(router: Router, *, as_of: date | str | None = None, depart: date | datetime | str | None = None) -> str | None:
    """The day (ISO) whose network a route was planned on: as_of, else the departure day, else the reference date."""
    day = route_day(as_of, depart) or router.net.manifest.reference_date
    return day.isoformat() if day else None


class RouteOptions(TypedDict, total=False):
    """The options of :meth:`silkway.routing.Router.route` a caller may give :func:`plan_route`."""

    teu: float
    depart: date | datetime | str | None
    avoid: Iterable[str]
    via: Iterable[str]
    max_transfers: int | None
    objective: Objective | str
    alternatives: int
    samples: int
    seed: int


def plan_route(origin: str, destination: str, *, dataset: PathLike = None, router: Router | None = None,
               conditions: str | os.PathLike[str] | Conditions | None = "typical", as_of: date | str | None = None,
               **options: Unpack[RouteOptions]) -> RouteResult:
    """Plan one shipment; ``options`` as :meth:`silkway.routing.Router.route`. ``conditions``: ``typical`` (the waits
    shipped in ``dataset``'s folder for the route's day), ``free``, a waits file or simulation output (services.conditions)."""
    r = router if router is not None else router_for(dataset, as_of=as_of, depart=options.get("depart"))
    day = route_day(as_of, options.get("depart")) or r.net.manifest.reference_date
    return r.route(origin, destination, conditions=conditions_of(r, conditions, dataset, day), **options)


@dataclass(frozen=True)
class PlaceListing:
    """What ``silkway places [QUERY]`` shows: the matching places and every country of the network with its name
    and number of places. ``country`` is set when the query named a country (then ``places`` are all of its places)."""

    places: tuple[Node, ...]
    countries: tuple[tuple[str, str, int], ...]  # (code, English name, places)
    country: str | None = None


def list_places(net: Network, query: str | None = None) -> PlaceListing:
    """Places matching ``query`` (tolerant: id, name or alias, prefix or substring; or a country by code or name);
    all places when ``query`` is empty."""
    codes = network_countries(net)
    count: dict[str, int] = {}
    for n in net.nodes:
        count[n.country] = count.get(n.country, 0) + 1
    countries = tuple((c, country_name(c), count.get(c, 0)) for c in sorted(codes))
    if not query or not query.strip():
        return PlaceListing(net.nodes, countries)
    code = country_index(codes).get(normalize(query))
    if code is not None and not search_places(net, query, limit=1):
        return PlaceListing(tuple(n for n in net.nodes if n.country == code), countries, code)
    return PlaceListing(tuple(search_places(net, query, limit=None)), countries)


def to_dict(result: RouteResult) -> dict[str, Any]:
    return result.to_dict()


def to_geojson(result: RouteResult, net: Network) -> dict[str, Any]:
    """Options as GeoJSON (see :func:`silkway.routing.views.geojson`)."""
    return result.to_geojson(net)
