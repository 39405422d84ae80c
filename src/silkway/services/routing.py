"""Route-planning use cases shared by the CLI and the web: plan, serialise, GeoJSON."""

from __future__ import annotations

import os
from typing import Any

from silkway.network import Network, read_dataset
from silkway.routing import Router, RouteResult

PathLike = str | os.PathLike[str] | None


def router_for(dataset: PathLike = None, net: Network | None = None) -> Router:
    """A planner for a dataset folder (embedded 'eurasia' when None) or an already loaded network.
    Build it once per caller and reuse it: construction compiles the state graph."""
    return Router(net if net is not None else read_dataset(dataset))


def plan_route(origin: str, destination: str, *, dataset: PathLike = None, router: Router | None = None, **options: Any) -> RouteResult:
    """Plan one shipment; ``options`` as :meth:`silkway.routing.Router.route`."""
    r = router if router is not None else router_for(dataset)
    return r.route(origin, destination, **options)


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
    summary = [{"option": i, "corridor": o.corridor, "days_median": round(o.days_median, 3), "days_p90": round(o.days_p90, 3),
                "cost_usd": round(o.cost_usd, 2), "co2e_kg": round(o.co2e_kg, 3), "transfers": o.transfers, "node_ids": list(o.node_ids)}
               for i, o in enumerate(result.options)]
    return {"type": "FeatureCollection", "features": feats,
            "silkway": {"origin": result.origin, "destination": result.destination, "teu": result.teu, "objective": result.objective,
                        "method": result.method, "options": summary}}
