"""Tables of a network for notebooks: nodes, links and facilities as pandas DataFrames (pandas imported on use),
and a compact text / HTML summary."""

from __future__ import annotations

import html
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from silkway.network.model import Network

SKIP = {"src", "line", "geometry"}  # provenance maps, source line numbers and polylines stay on the objects


def frame(rows: tuple[Any, ...], index: str) -> pd.DataFrame:
    """One row per record, one column per field (lists joined with ';'), indexed by ``index``."""
    import pandas as pd

    if not rows:
        return pd.DataFrame()
    cols = [f.name for f in fields(rows[0]) if f.name not in SKIP]
    data = [{c: (";".join(map(str, v)) if isinstance(v, tuple) else v) for c in cols for v in (getattr(r, c),)} for r in rows]
    return pd.DataFrame(data, columns=cols).set_index(index)


def counts(net: Network) -> dict[str, int]:
    return {"nodes": len(net.nodes), "links": len(net.links), "facilities": len(net.facilities), "sources": len(net.sources)}


def summary(net: Network) -> str:
    """``Network('eurasia' 2026.12.0, as of 2023-06-30: 120 nodes, 180 links, 60 facilities, 400 sources)``."""
    c = counts(net)
    when = f", as of {net.as_of}" if net.as_of else ""
    return (f"Network('{net.manifest.name}' {net.manifest.version}{when}: {c['nodes']} nodes, {c['links']} links, "
            f"{c['facilities']} facilities, {c['sources']} sources)")


def summary_html(net: Network) -> str:
    """The summary line and a small table of link kilometres by mode."""
    km: dict[str, float] = {}
    for lk in net.links:
        km[lk.mode] = km.get(lk.mode, 0.0) + lk.distance_km
    rows = "".join(f"<tr><td>{html.escape(m)}</td><td style='text-align:right'>{sum(1 for lk in net.links if lk.mode == m)}</td>"
                   f"<td style='text-align:right'>{v:,.0f}</td></tr>" for m, v in sorted(km.items(), key=lambda kv: -kv[1]))
    return (f"<p><b>{html.escape(summary(net))}</b></p><table><tr><th>mode</th><th>links</th><th>km</th></tr>{rows}</table>"
            "<p style='color:#777'>net.nodes_frame(), net.links_frame(), net.facilities_frame() give the tables.</p>")
