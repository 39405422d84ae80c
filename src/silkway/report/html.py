"""The study report: one self-contained HTML file (inline CSS, PNG figures as base64; no CDN, no
scripts), readable offline. It reads only the results store and the dataset named by the study."""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from silkway.atomic import atomic_write_text
from silkway.errors import SilkwayError
from silkway.network import Network, read_dataset
from silkway.report import plots
from silkway.scenarios.apply import apply_network
from silkway.scenarios.model import Scenario
from silkway.scenarios.store import ResultsStore, StudyRecord
from silkway.scenarios.summary import summarize_kpis

MAX_QUEUE_PREFIX = "max_queue_trains_"
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1150px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:12.5px;margin:.6em 0}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f3f5f7}td.k,th.k{text-align:left;font-family:ui-monospace,monospace}.sig{color:#b02a2a;font-weight:600}
.muted{color:#777}img{max-width:100%;border:1px solid #eee;margin:.4em 0}code{background:#f3f5f7;padding:0 3px}
"""


def build_report(store: ResultsStore, rec: StudyRecord, out_dir: Path, capacity: CapacitySection | None = None) -> Path:
    """Write ``out_dir/report.html`` for a stored study and return its path; ``capacity`` adds what each corridor can
    carry and the saturation curve (the demo passes them)."""
    kpis = store.kpis(rec.study_id)
    table = summarize_kpis(rec, kpis)
    names = {s["hash"]: s["name"] for s in rec.scenarios}
    definitions = store.definitions([s["hash"] for s in rec.scenarios])
    net = read_dataset(next(iter(definitions.values()), {}).get("dataset"))
    parts = [_header(rec, store.replications(rec.study_id)), _headline(table, rec)]
    if capacity is not None:
        parts.append(_capacity(capacity))
    parts.append(_maps(net, store, rec, names, kpis))
    parts.append(_queues(store, rec, names, kpis))
    parts.append(_transit(store, rec, names))
    parts.append(_kpi_table(table, rec))
    parts.append(_provenance(rec, definitions, names))
    doc = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>silkway study {rec.label}</title>"
           f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")
    return atomic_write_text(out_dir / "report.html", doc)


@dataclass(frozen=True)
class CapacitySection:
    """What each corridor can carry (one line each) and the saturation curve as a PNG."""

    title: str
    lines: tuple[str, ...]
    curve_png: bytes | None = None
    curve_note: str = ""


def _capacity(c: CapacitySection) -> str:
    items = "".join(f"<li>{html.escape(x)}</li>" for x in c.lines)
    curve = (_img(c.curve_png, "saturation curve") + f"<p class='muted'>{html.escape(c.curve_note)}</p>") if c.curve_png else ""
    return (f"<h2>How much each corridor can carry</h2><p>{html.escape(c.title)} — analytic maximum flow over the "
            f"simulation's own stations (trains/day and TEU/year, after background traffic and expected closures), "
            f"the binding elements named (minimum cut).</p><ul>{items}</ul>"
            f"<h2>Saturation curve</h2><p>Delivered cargo, P90 transit and held / diverted / refused cargo against the "
            f"demand multiplier (mean and 95% CI over replications with common random numbers).</p>{curve}")


def _img(data: bytes, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(data).decode()}'>"


def _header(rec: StudyRecord, reps: pd.DataFrame) -> str:
    test = "paired t-test (common random numbers)" if rec.crn else "Welch t-test (independent seeds)"
    n = reps.groupby("scenario_hash").size().to_dict() if len(reps) else {}
    scen = ", ".join(f"<b>{html.escape(s['name'])}</b> ({n.get(s['hash'], 0)} replications)" for s in rec.scenarios)
    return (f"<h1>silkway study: {html.escape(rec.label)}</h1><p class='muted'>study {rec.study_id} · "
            f"{rec.days} simulated days · seed {rec.seed} · dataset {html.escape(rec.dataset_version)} · "
            f"{html.escape(rec.code_version)} · report written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC</p>"
            f"<p>Scenarios: {scen}. The first is the baseline. Every KPI is the mean over replications with a 95% "
            f"confidence interval (Student t); differences to the baseline use a {test}.</p>")


def _headline(table: pd.DataFrame, rec: StudyRecord) -> str:
    """The largest significant changes vs the baseline, in words."""
    if len(rec.scenarios) < 2 or not len(table):
        return ""
    items = []
    for s in rec.scenarios[1:]:
        t = table[(table["scenario"] == s["name"]) & table["significant"]].copy()
        base = table[table["scenario"] == rec.scenarios[0]["name"]].set_index("kpi")["mean"]
        t["rel"] = [abs(d) / abs(base.get(k, math.nan)) if base.get(k) else math.inf for k, d in zip(t["kpi"], t["diff"], strict=True)]
        t = t[t["rel"] > 0.05].sort_values("rel", ascending=False).head(6)
        lines = "".join(f"<li><code>{html.escape(r.kpi)}</code>: {base.get(r.kpi, math.nan):,.4g} → {r.mean:,.4g} "
                        f"(Δ {r.diff:+,.4g}, 95% CI [{r.diff_low:+,.4g}, {r.diff_high:+,.4g}])</li>" for r in t.itertuples())
        items.append(f"<li><b>{html.escape(s['name'])}</b>: " + (f"<ul>{lines}</ul>" if lines else
                     "no KPI changes by more than 5% with significance at 5%.") + "</li>")
    return "<h2>Headline</h2><p>Largest significant changes (p &lt; 0.05, more than 5%) against the baseline:</p><ul>" + "".join(items) + "</ul>"


def _mean_details(store: ResultsStore, rec: StudyRecord, kind: str) -> dict[str, pd.DataFrame]:
    d = store.details(rec.study_id, kind)
    out = {}
    for s in rec.scenarios:
        g = d[d["scenario_hash"] == s["hash"]]
        if len(g):
            out[s["name"]] = g
    return out


def _maps(net: Network, store: ResultsStore, rec: StudyRecord, names: dict[str, str], kpis: pd.DataFrame) -> str:
    flows = _mean_details(store, rec, "flow")
    lons = [n.lon for n in net.nodes if n.node_id != "shanghai"]
    lon_range = (min(lons) - 2, max(lons) + 2) if lons else None
    out = ["<h2>Corridor map: flows and bottlenecks</h2><p>Line width ∝ mean TEU carried per link over the detail "
           "replications; red circles: mean of the maximum queue (trains) at facilities.</p>"]
    definitions = store.definitions([s["hash"] for s in rec.scenarios])
    for s in rec.scenarios:
        f = flows.get(s["name"])
        flow = f.groupby("key")["y"].mean().to_dict() if f is not None else {}
        snet = _scenario_network(net, definitions.get(s["hash"]))
        out.append(_img(plots.corridor_map(snet, flow, _bottlenecks(snet, kpis, s["hash"]), s["name"], lon_range), f"map {s['name']}"))
    return "".join(out)


def _scenario_network(net: Network, definition: dict | None) -> Network:
    """The network as the scenario changed it (new facilities appear on its map)."""
    if not definition:
        return net
    try:
        return apply_network(Scenario.model_validate(definition), net)
    except (SilkwayError, ValueError):  # a definition stored by another version: draw the base network
        return net


def _bottlenecks(net: Network, kpis: pd.DataFrame, scenario_hash: str) -> dict[str, float]:
    k = kpis[(kpis["scenario_hash"] == scenario_hash) & kpis["kpi"].str.startswith(MAX_QUEUE_PREFIX)]
    by_node: dict[str, float] = {}
    for kpi, value in k.groupby("kpi")["value"].mean().items():
        fac = net.facility_by_id.get(kpi.removeprefix(MAX_QUEUE_PREFIX))
        node = fac.node_id if fac else kpi.removeprefix(MAX_QUEUE_PREFIX)
        by_node[node] = max(by_node.get(node, 0.0), float(value))
    return by_node


def _queues(store: ResultsStore, rec: StudyRecord, names: dict[str, str], kpis: pd.DataFrame) -> str:
    q = _mean_details(store, rec, "queue")
    if not q:
        return "<h2>Queues over time</h2><p class='muted'>No queue series recorded.</p>"
    mean = {n: g.groupby(["key", "x"], as_index=False)["y"].mean() for n, g in q.items()}
    peak = pd.concat(mean.values()).groupby("key")["y"].max().sort_values(ascending=False)
    top = [k for k, v in peak.items() if v > 0][:6] or list(peak.index[:3])
    return ("<h2>Queues over time</h2><p>Mean queue (trains waiting) by day at the facilities with the longest queues, "
            "averaged over the detail replications.</p>" + _img(plots.queue_over_time(mean, top), "queues"))


def _transit(store: ResultsStore, rec: StudyRecord, names: dict[str, str]) -> str:
    t = _mean_details(store, rec, "transit")
    if not t:
        return "<h2>Transit times</h2><p class='muted'>No transit times recorded.</p>"
    vol = pd.concat(t.values()).groupby("key")["y"].sum().sort_values(ascending=False)
    return ("<h2>Transit-time distribution</h2><p>Share of the TEU delivered in the period that took at most x days, "
            "per corridor, pooled over the detail replications.</p>" + _img(plots.transit_distribution(t, list(vol.index[:6])), "transit"))


def _kpi_table(table: pd.DataFrame, rec: StudyRecord) -> str:
    base = rec.scenarios[0]["name"] if rec.scenarios else ""
    head = "".join(f"<th>{html.escape(s['name'])}<br><span class='muted'>mean [95% CI]</span></th>"
                   + (f"<th>Δ vs {html.escape(base)} [95% CI], p</th>" if i else "") for i, s in enumerate(rec.scenarios))
    rows = []
    for kpi, g in table.groupby("kpi", sort=True):
        cells = []
        for i, s in enumerate(rec.scenarios):
            r = g[g["scenario"] == s["name"]]
            if not len(r):
                cells.append("<td></td>" + ("<td></td>" if i else ""))
                continue
            r = r.iloc[0]
            cells.append(f"<td>{_ci(r['mean'], r['ci_low'], r['ci_high'])}</td>")
            if i:
                sig = " class='sig'" if r["significant"] else ""
                p = "" if math.isnan(r["p_value"]) else f", p={r['p_value']:.2g}"
                cells.append(f"<td{sig}>{_ci(r['diff'], r['diff_low'], r['diff_high'], signed=True)}{p}</td>")
        rows.append(f"<tr><td class='k'>{html.escape(str(kpi))}</td>{''.join(cells)}</tr>")
    return (f"<h2>KPIs</h2><p>Red: significant at 5%.</p><table><tr><th class='k'>KPI</th>{head}</tr>{''.join(rows)}</table>")


def _ci(m: float, lo: float, hi: float, signed: bool = False) -> str:
    if math.isnan(m):
        return ""
    fmt = "{:+,.4g}" if signed else "{:,.4g}"
    return fmt.format(m) + ("" if math.isnan(lo) else f" [{fmt.format(lo)}, {fmt.format(hi)}]")


def _provenance(rec: StudyRecord, definitions: dict[str, dict], names: dict[str, str]) -> str:
    items = "".join(f"<li><b>{html.escape(names.get(h, h))}</b> hash <code>{h}</code>: "
                    f"<code>{html.escape(_short(d))}</code></li>" for h, d in definitions.items())
    return (f"<h2>Provenance</h2><p>Each replication in the store records scenario hash, dataset version, code version "
            f"and seed (seeds derive from study seed {rec.seed}, scenario hash and replication index"
            f"{'; common random numbers' if rec.crn else ''}).</p><ul>{items}</ul>")


def _short(definition: dict) -> str:
    keep = {k: v for k, v in definition.items() if v not in (None, [], {}, "") and k not in ("silkway_scenario", "extends")}
    text = str(keep)
    return text if len(text) < 600 else text[:600] + " …"
