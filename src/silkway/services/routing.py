"""Route-planning use cases shared by the CLI and the web: plan, serialise, GeoJSON."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from silkway.network import Network
from silkway.network.model import Node
from silkway.network.places import country_index, country_name, network_countries, normalize, search_places
from silkway.routing import Router, RouteResult
from silkway.routing.planner import route_day, router_at
from silkway.services.network import load_dated

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


def plan_route(origin: str, destination: str, *, dataset: PathLike = None, router: Router | None = None, **options: Any) -> RouteResult:
    """Plan one shipment; ``options`` as :meth:`silkway.routing.Router.route`."""
    r = router if router is not None else router_for(dataset)
    return r.route(origin, destination, **options)


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
    """Options as GeoJSON: one LineString per moving leg (``option`` = rank, 0 = best), Points for the
    origin and destination; the summary of each option under the foreign member ``silkway``."""
    nodes = net.node_by_id
    feats: list[dict[str, Any]] = []
    for rank, opt in enumerate(result.options):
        for leg in opt.legs:
            if leg.kind != "move":
                continue
            feats.append({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in net.line_of(net.link_by_id[leg.link_id], leg.from_node)]},
                "properties": {"kind": "leg", "option": rank, "corridor": opt.corridor, "link_id": leg.link_id, "mode": leg.mode,
                               "platform": leg.platform, "from": leg.from_node, "to": leg.to_node, "distance_km": leg.distance_km,
                               "hours": round(leg.hours, 3), "start_h": round(leg.start_h, 3), "cost_usd": round(leg.cost_usd, 2),
                               "co2e_kg": round(leg.co2e_kg, 3)},
            })
    for role, nid in (("origin", result.origin), ("destination", result.destination)):
        n = nodes[nid]
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [n.lon, n.lat]},
                      "properties": {"kind": role, "id": nid, "name": n.name, "country": n.country}})
    summary = [{"option": i, "corridor": o.corridor, "via_summary": o.via_summary, "days_median": round(o.days_median, 3), "days_p90": round(o.days_p90, 3),
                "cost_usd": round(o.cost_usd, 2), "co2e_kg": round(o.co2e_kg, 3), "transfers": o.transfers, "node_ids": list(o.node_ids)}
               for i, o in enumerate(result.options)]
    return {"type": "FeatureCollection", "features": feats,
            "silkway": {"origin": result.origin, "destination": result.destination, "teu": result.teu, "objective": result.objective,
                        "method": result.method, "options": summary}}
