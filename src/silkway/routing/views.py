"""Views of a :class:`~silkway.routing.model.RouteResult` for notebooks and GIS: a DataFrame of the options, one of
the legs, GeoJSON with flat properties, and compact text / HTML summaries. pandas is imported on use."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from silkway.network.model import Network
    from silkway.routing.model import RouteResult

OPTION_COLUMNS = ["option", "corridor", "days_median", "days_p90", "cost_usd", "co2e_kg", "transfers", "distance_km", "pareto",
                  "via_summary"]


def options_frame(result: RouteResult) -> pd.DataFrame:
    """One row per option (1 = best by the objective)."""
    import pandas as pd

    return pd.DataFrame([{"option": i, "corridor": o.corridor, "days_median": o.days_median, "days_p90": o.days_p90,
                          "cost_usd": o.cost_usd, "co2e_kg": o.co2e_kg, "transfers": o.transfers, "distance_km": o.distance_km,
                          "pareto": o.pareto, "via_summary": o.via_summary} for i, o in enumerate(result.options, 1)],
                        columns=OPTION_COLUMNS).set_index("option")


def legs_frame(result: RouteResult, option: int = 1) -> pd.DataFrame:
    """The legs of option ``option`` (1 = best), one row each, in order."""
    import pandas as pd

    o = result.options[option - 1]
    return pd.DataFrame([{"kind": leg.kind, "from_node": leg.from_node, "to_node": leg.to_node, "start_h": leg.start_h,
                          "hours": leg.hours, "cost_usd": leg.cost_usd, "co2e_kg": leg.co2e_kg, "link_id": leg.link_id,
                          "facility_id": leg.facility_id, "mode": leg.mode, "distance_km": leg.distance_km,
                          "country": leg.country} for leg in o.legs])


def geojson(result: RouteResult, net: Network) -> dict[str, Any]:
    """Options as GeoJSON: one LineString per moving leg (``option`` = rank, 0 = best), Points for the origin and the
    destination, every property a plain value (QGIS reads them as columns); the summary of each option under the
    foreign member ``silkway``."""
    nodes = net.node_by_id
    feats: list[dict[str, Any]] = []
    for rank, opt in enumerate(result.options):
        for leg in opt.legs:
            if leg.kind != "move" or leg.link_id is None:
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
    summary = [{"option": i, "corridor": o.corridor, "via_summary": o.via_summary, "days_median": round(o.days_median, 3),
                "days_p90": round(o.days_p90, 3), "cost_usd": round(o.cost_usd, 2), "co2e_kg": round(o.co2e_kg, 3),
                "transfers": o.transfers, "node_ids": list(o.node_ids)} for i, o in enumerate(result.options)]
    return {"type": "FeatureCollection", "features": feats,
            "silkway": {"origin": result.origin, "destination": result.destination, "teu": result.teu, "objective": result.objective,
                        "method": result.method, "options": summary}}


def summary(result: RouteResult) -> str:
    if not result.options:
        return f"RouteResult({result.origin} → {result.destination}: no route)"
    b = result.best
    return (f"RouteResult({result.origin} → {result.destination}, {result.teu:g} TEU, by {result.objective.value}: "
            f"best {b.corridor} {b.days_median:.1f} d (P90 {b.days_p90:.1f}), {b.cost_usd:,.0f} USD, {b.co2e_kg:,.0f} kg CO2e; "
            f"{len(result.options)} option(s))")


def summary_html(result: RouteResult) -> str:
    head = html.escape(summary(result))
    if not result.options:
        return f"<p>{head}</p>"
    df = options_frame(result).round({"days_median": 1, "days_p90": 1, "cost_usd": 0, "co2e_kg": 0, "distance_km": 0})
    return f"<p><b>{head}</b></p>{df.to_html()}<p style='color:#777'>.to_frame(), .legs_frame(), .to_geojson(net)</p>"
