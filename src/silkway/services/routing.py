"""Route-planning use cases shared by the Python API, the CLI and the web: plan (``silkway.route``, ``route_many``,
:func:`plan_route`), serialise, GeoJSON. Resolving ``conditions`` (``typical`` reads the waits file shipped with the
dataset) happens here, so the planner (``silkway.routing``) receives :class:`Conditions` and does no I/O."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict, Unpack

from silkway.network import Network
from silkway.network.model import Node
from silkway.network.places import country_index, country_name, name_index, network_countries, normalize, resolve_place, search_places
from silkway.routing import Router as Router  # re-exported: the type interfaces hold
from silkway.routing import RouteResult
from silkway.routing.conditions import FREE, Conditions
from silkway.routing.jit import before_jit as before_jit  # re-exported: the CLI defers numba's BLAS probe to a numba import
from silkway.routing.objectives import FIELD as FIELD  # re-exported: the figure each objective ranks by
from silkway.routing.objectives import shown as shown  # re-exported: the rounding the ranking uses
from silkway.routing.planner import SAMPLES, router_of
from silkway.routing.planner import route_day as route_day  # re-exported: the interfaces parse a route day here
from silkway.routing.planner import router_at as router_at  # re-exported: the web app keeps one router per day
from silkway.services._paths import OptPath
from silkway.services.conditions import resolve_conditions
from silkway.services.network import load_dated
from silkway.vocabulary import Objective


def router_for(dataset: OptPath = None, net: Network | None = None, *, as_of: date | str | None = None,
               depart: date | datetime | str | None = None, places: Iterable[str] = ()) -> Router:
    """A planner for a dataset folder (embedded 'eurasia' when None) or an already loaded network, on the network of
    ``as_of`` if given, else of the departure day, else of the dataset's reference date. Routers are kept per
    period of the dated network (:func:`silkway.routing.planner.router_at`). ``places``: names resolved on the loaded
    network first, so that a misspelt one fails with its suggestions before a big network's router is built."""
    full = net if net is not None else load_dated(dataset)
    if places:
        index = name_index(full)
        for name in places:
            resolve_place(full, name, index)
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


def plan_route(origin: str, destination: str, *, dataset: OptPath = None, router: Router | None = None,
               conditions: str | os.PathLike[str] | Conditions | None = "typical", as_of: date | str | None = None,
               **options: Unpack[RouteOptions]) -> RouteResult:
    """Plan one shipment; ``options`` as :meth:`silkway.routing.Router.route`. ``conditions``: ``typical`` (the waits
    shipped in ``dataset``'s folder for the route's day), ``free``, a waits file or simulation output (services.conditions)."""
    r = router if router is not None else router_for(dataset, as_of=as_of, depart=options.get("depart"))
    day = route_day(as_of, options.get("depart")) or r.net.manifest.reference_date
    return r.route(origin, destination, conditions=conditions_of(r, conditions, dataset, day), **options)


def _router(net: Network | Router | None, day: dt.date | None = None) -> Router:
    if isinstance(net, Router):
        return net
    if net is None:
        from silkway.network.dataset import read_dataset

        net = read_dataset(as_of=day)
        return router_of(net)
    return router_at(net, day)


def route(net: Network | Router | None, origin: str, destination: str, *, teu: float = 1.0,
          depart: dt.date | dt.datetime | str | None = None, avoid: Iterable[str] = (), via: Iterable[str] = (),
          max_transfers: int | None = None, objective: Objective | str = Objective.TIME, alternatives: int = 3, samples: int = SAMPLES,
          seed: int = 0, as_of: dt.date | str | None = None, conditions: Conditions | str | None = "typical") -> RouteResult:
    """Plan a shipment from ``origin`` to ``destination`` (tolerant place names).

    ``net``: a :class:`Network` (its router is built on the first call and kept with it: :func:`router_of`), a
    prebuilt :class:`Router`, or None to read the embedded dataset (slow: reads the CSVs on every call).
    Options: ``teu`` (1.0), ``depart`` (date/datetime/ISO text; None = a Monday 00:00), ``avoid``
    (countries, places, modes), ``via`` (places, in order), ``max_transfers``, ``objective``
    (time = median|p90|cost|co2e, see :class:`Objective`), ``alternatives`` (K), ``samples`` and ``seed`` of the time sampling.
    The network is the one on ``as_of`` if given, else on the departure day, else as given (a dated network:
    its reference date); a :class:`Router` is used as it is.
    ``conditions``: ``"typical"`` (default: the expected waits shipped with the embedded dataset, for the route's day),
    ``"free"`` (none: the express answer), a waits file or simulation output folder, or a :class:`Conditions`.
    Raises :class:`RoutingError` for unknown names and infeasible constraints (naming the culprit)."""
    day = route_day(as_of, depart)
    r = _router(net, day)
    return r.route(origin, destination, teu=teu, depart=depart, avoid=avoid, via=via, max_transfers=max_transfers,
                   objective=objective, alternatives=alternatives, samples=samples, seed=seed,
                   conditions=conditions_of(r, conditions, None, day))


def conditions_of(router: Router, spec: Conditions | str | os.PathLike[str] | None, dataset: str | os.PathLike[str] | None,
                  day: dt.date | None) -> Conditions:
    """``spec`` resolved for ``dataset`` (None: the embedded one) and the route's day, kept on the router (bounded):
    a server or a loop of queries reads the waits file once. ``None`` = free."""
    if spec is None or isinstance(spec, Conditions):
        return spec or FREE
    key = (str(spec), None if dataset is None else str(dataset), day)
    cache = router.conditions_cache
    cond = cache.get(key)
    if cond is None:
        if len(cache) >= 64:
            cache.clear()
        cond = cache[key] = resolve_conditions(spec, dataset, day, router.net.manifest.name)
    return cond


def route_many(net: Network | Router | None, queries: Iterable[Mapping[str, Any] | tuple[str, str]], **common: Any) -> list[RouteResult]:
    """Plan many shipments on one network (the router is built once). Each query is ``(origin,
    destination)`` or a mapping with ``origin``, ``destination`` and any option of :func:`route`;
    ``common`` options apply to all queries unless a query overrides them."""
    r = _router(net)
    out = []
    for qy in queries:
        if isinstance(qy, Mapping):
            opts = {**common, **{k: v for k, v in qy.items() if k not in ("origin", "destination")}}
            opts["conditions"] = conditions_of(r, opts.get("conditions", "typical"), None, route_day(opts.pop("as_of", None), opts.get("depart")))
            out.append(r.route(qy["origin"], qy["destination"], **opts))
        else:
            opts = dict(common)
            opts["conditions"] = conditions_of(r, opts.get("conditions", "typical"), None, route_day(opts.pop("as_of", None), opts.get("depart")))
            out.append(r.route(qy[0], qy[1], **opts))
    return out


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
