"""The study report: one self-contained HTML file (inline CSS, PNG figures as base64; no CDN, no
scripts), readable offline. It reads only the results store and the dataset named by the study."""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from silkway.atomic import atomic_write_text
from silkway.errors import SilkwayError
from silkway.kpi_catalogue import Places, places_for
from silkway.network import Network, read_dataset
from silkway.report import plots
from silkway.report.tables import kpi_tables, provenance
from silkway.scenarios.apply import apply_network
from silkway.scenarios.headline import DELAY_PREFIX, headline_kpis
from silkway.scenarios.model import Scenario
from silkway.scenarios.numfmt import interval, num
from silkway.scenarios.store import ResultsStore, StudyRecord
from silkway.scenarios.summary import method_notes, summarize_kpis

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1300px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:12.5px;margin:.6em 0}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f3f5f7}td.k,th.k{text-align:left}.sig{color:#b02a2a;font-weight:600}
td{white-space:nowrap}td.k{white-space:normal;min-width:14em}.warn{background:#fff4e6;border-left:4px solid #f08c00;padding:.4em .8em}
tr.g th{background:#e9ecef;text-align:left}details summary{cursor:pointer;margin:.6em 0;font-weight:600}.wide{overflow-x:auto}small{color:#777;font-size:11px}
.muted{color:#777}img{max-width:100%;border:1px solid #eee;margin:.4em 0}code{background:#f3f5f7;padding:0 3px}
"""


def build_report(store: ResultsStore, rec: StudyRecord, out_dir: Path, capacity: CapacitySection | None = None,
                 invest_html: str | None = None) -> Path:
    """Write ``out_dir/report.html`` for a stored study and return its path; ``capacity`` adds what each corridor can
    carry and the saturation curve (the demo passes them); ``invest_html`` an investment plan's section
    (report/invest_section.py)."""
    kpis = store.kpis(rec.study_id)
    definitions = store.definitions([s["hash"] for s in rec.scenarios])
    net = read_dataset(next(iter(definitions.values()), {}).get("dataset"))
    places = places_for(net)
    table = summarize_kpis(rec, kpis, places=places)
    parts = [_header(rec, store.replications(rec.study_id), method_notes(rec, table)), _headline(table, rec)]
    if capacity is not None:
        parts.append(_capacity(capacity))
    parts.append(_maps(net, store, rec, kpis))
    parts.append(_queues(store, rec, places, kpis))
    parts.append(_transit(store, rec, places))
    parts.append(kpi_tables(table, rec, headline_kpis(table)))
    parts.append(invest_html or "")
    parts.append(provenance(rec, definitions))
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


def _header(rec: StudyRecord, reps: pd.DataFrame, notes: list[str]) -> str:
    n = reps.groupby("scenario_hash").size().to_dict() if len(reps) else {}
    scen = ", ".join(f"<b>{html.escape(s['name'])}</b> ({n.get(s['hash'], 0)} replications)" for s in rec.scenarios)
    warn = "".join(f"<p class='warn'>{html.escape(x)}</p>" for x in notes if x.startswith("warning"))
    method = "".join(f"<li>{html.escape(x)}</li>" for x in notes if not x.startswith("warning"))
    return (f"<h1>silkway study: {html.escape(rec.label)}</h1><p class='muted'>study {rec.study_id} · "
            f"{rec.days} simulated days · seed {rec.seed} · dataset {html.escape(rec.dataset_version)} · "
            f"{html.escape(rec.code_version)} · report written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC</p>{warn}"
            f"<p>Scenarios: {scen}. The first is the baseline. Every KPI is the mean over replications with a 95% "
            f"confidence interval (Student t).</p><ul>{method}</ul>")


def _headline(table: pd.DataFrame, rec: StudyRecord) -> str:
    """The largest significant changes vs the baseline, in words (at most six a scenario; the KPI table lists all)."""
    if len(rec.scenarios) < 2 or not len(table):
        return ""
    items = []
    for s in rec.scenarios[1:]:
        t = table[(table["scenario"] == s["name"]) & table["significant"]].copy()
        base = table[table["scenario"] == rec.scenarios[0]["name"]].set_index("kpi")["mean"]
        t["rel"] = [abs(d) / abs(base.get(k, math.nan)) if base.get(k) else math.inf for k, d in zip(t["kpi"], t["diff"], strict=True)]
        t = t[t["rel"] > 0.05]
        # largest first: the relative change (capped at 1: anything from zero) times the change's share of the
        # largest change of its unit, so a delay appearing from 0 to 8 train-h does not outrank one of 22,000
        top_of_unit = t.assign(a=t["diff"].abs()).groupby("unit")["a"].transform("max")
        t["rank"] = [min(r, 1.0) * abs(d) / m if m else 0.0 for r, d, m in zip(t["rel"], t["diff"], top_of_unit, strict=True)]
        t = t.sort_values("rank", ascending=False).head(6)
        lines = "".join(f"<li><span title='{html.escape(r.kpi)}'>{html.escape(r.name)}</span>{_unit_note(r.unit)}: "
                        f"{num(base.get(r.kpi, math.nan), r.unit)} → {num(r.mean, r.unit)} "
                        f"(Δ {num(r.diff, r.unit, signed=True)}, 95% CI {interval(r.diff_low, r.diff_high, r.unit, signed=True)})</li>"
                        for r in t.itertuples())
        items.append(f"<li><b>{html.escape(s['name'])}</b>: " + (f"<ul>{lines}</ul>" if lines else
                     "no KPI changes by more than 5% with significance.") + "</li>")
    return ("<h2>Headline</h2><p>Largest significant changes (adjusted p &lt; 0.05, more than 5%) against the baseline:</p><ul>"
            + "".join(items) + "</ul>")


def _unit_note(unit: str) -> str:
    return f" <span class='muted'>({html.escape(_unit(unit))})</span>" if unit else ""


def _unit(unit: str) -> str:
    return "%" if unit == "share" else unit


def _mean_details(store: ResultsStore, rec: StudyRecord, kind: str) -> dict[str, pd.DataFrame]:
    d = store.details(rec.study_id, kind)
    out = {}
    for s in rec.scenarios:
        g = d[d["scenario_hash"] == s["hash"]]
        if len(g):
            out[s["name"]] = g
    return out


def _maps(net: Network, store: ResultsStore, rec: StudyRecord, kpis: pd.DataFrame) -> str:
    """One map per scenario on one shared scale, then each scenario's difference to the baseline."""
    flows = _mean_details(store, rec, "flow")
    definitions = store.definitions([s["hash"] for s in rec.scenarios])
    nets = {s["name"]: _scenario_network(net, definitions.get(s["hash"])) for s in rec.scenarios}
    flow = {s["name"]: (flows[s["name"]].groupby("key")["y"].mean().to_dict() if s["name"] in flows else {}) for s in rec.scenarios}
    delay = {s["name"]: _delays(kpis, s["hash"]) for s in rec.scenarios}
    scale = plots.MapScale(max((max(f.values(), default=0.0) for f in flow.values()), default=0.0),
                           max((max(d.values(), default=0.0) for d in delay.values()), default=0.0))
    bounds = plots._bounds(net)
    out = ["<h2>Corridor map: flows and bottlenecks</h2><p>Line width ∝ √(mean TEU carried per link over the detail "
           "replications); circle area ∝ mean added delay (train-hours waited) at each facility, quay or link. "
           "<b>All panels share one scale</b> (legends on the right).</p>"]
    for s in rec.scenarios:
        name = s["name"]
        out.append(_img(plots.corridor_map(nets[name], flow[name], _spots(nets[name], delay[name]), name, scale, bounds), f"map {name}"))
    if len(rec.scenarios) > 1:
        base = rec.scenarios[0]["name"]
        out.append(f"<h2>Difference to the baseline ({html.escape(base)})</h2><p>Red: more flow or more delay than the "
                   "baseline; blue: less. Colour, line width and circle area grow with the size of the difference on a "
                   "logarithmic scale (four decades below the largest difference), <b>one scale for these panels</b> (colour "
                   "bars on the right), so a scenario that changes little still shows where it changes.</p>")
        dflow = {s["name"]: _minus(flow[s["name"]], flow[base]) for s in rec.scenarios[1:]}
        ddelay = {s["name"]: _minus(delay[s["name"]], delay[base]) for s in rec.scenarios[1:]}
        dscale = plots.MapScale(max((max(map(abs, f.values()), default=0.0) for f in dflow.values()), default=0.0),
                                max((max(map(abs, d.values()), default=0.0) for d in ddelay.values()), default=0.0))
        for s in rec.scenarios[1:]:
            name = s["name"]
            out.append(_img(plots.corridor_map(nets[name], dflow[name], _spots(nets[name], ddelay[name]), f"{name} − {base}", dscale,
                                               bounds, diff=True), f"difference map {name}"))
    return "".join(out)


def _minus(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a.get(k, 0.0) - b.get(k, 0.0) for k in set(a) | set(b)}


def _delays(kpis: pd.DataFrame, scenario_hash: str) -> dict[str, float]:
    """Mean added delay (train-hours) per facility/quay/link key of a scenario."""
    k = kpis[(kpis["scenario_hash"] == scenario_hash) & kpis["kpi"].str.startswith(DELAY_PREFIX)]
    return {str(kpi).removeprefix(DELAY_PREFIX): float(v) for kpi, v in k.groupby("kpi")["value"].mean().items()}


def _spots(net: Network, delay: dict[str, float]) -> list[plots.Spot]:
    """Where each added delay is drawn: a facility or quay at its node, a link at its middle."""
    places = places_for(net)
    where: dict[str, tuple[float, float]] = {}
    nodes = net.node_by_id
    for f in net.facilities:
        n = nodes.get(f.node_id)
        if n is not None:
            where[_key(f.facility_id)] = (n.lon, n.lat)
    for lk in net.links:
        line = net.line_of(lk)
        (x0, y0), (x1, y1) = line[0], line[-1]
        where[_key(lk.link_id)] = line[len(line) // 2] if len(line) > 2 else ((x0 + x1) / 2, (y0 + y1) / 2)
        for end in (lk.from_node, lk.to_node):
            where[_key(f"{lk.link_id}_quay_{end}")] = (nodes[end].lon, nodes[end].lat)
    for key in delay:  # pooled yards 'a+b': at the first yard
        if key not in where:
            for f in net.facilities:
                if key.startswith(_key(f.facility_id) + "_") and _key(f.facility_id) in where:
                    where[key] = where[_key(f.facility_id)]
                    break
    return [plots.Spot(*where[k], places.facility(k), v) for k, v in delay.items() if k in where and v]


def _scenario_network(net: Network, definition: dict | None) -> Network:
    """The network as the scenario changed it (new facilities appear on its map)."""
    if not definition:
        return net
    try:
        return apply_network(Scenario.model_validate(definition), net)
    except (SilkwayError, ValueError):  # a definition stored by another version: draw the base network
        return net


def _queues(store: ResultsStore, rec: StudyRecord, places: Places, kpis: pd.DataFrame) -> str:
    q = _mean_details(store, rec, "queue")
    if not q:
        return "<h2>Queues over time</h2><p class='muted'>No queue series recorded.</p>"
    # whole weeks only (a study shorter than a week: its days): a last, partial week's maximum would draw a spurious dip
    # at the end of every series
    weekly = {n: g.assign(x=(g["x"] // 7) * 7).pipe(lambda w: w[(w["x"] + 7 <= rec.days) | (rec.days < 7)])
              .groupby(["key", "rep", "x"], as_index=False)["y"].max()
              .groupby(["key", "x"], as_index=False)["y"].mean() for n, g in q.items()}
    keys = pd.concat(weekly.values())["key"].unique()
    delay = kpis[kpis["kpi"].str.startswith(DELAY_PREFIX)].groupby(["scenario_hash", "kpi"])["value"].mean().groupby("kpi").max()
    rank = {k: float(delay.get(DELAY_PREFIX + _station_key(k), 0.0)) for k in keys}
    top = [k for k in sorted(keys, key=lambda k: -rank[k]) if rank[k] > 0][:6] or list(keys[:3])
    labels = {k: f"{places.facility(_station_key(k))} — added delay up to {rank[k]:,.0f} train-h" for k in top}
    return ("<h2>Queues over time</h2><p>Weekly maximum queue (trains) at the six stations with the most added delay (in any "
            "scenario), averaged over the detail replications; a panel whose scenarios differ more than tenfold has a log "
            "scale.</p>" + _img(plots.queue_over_time(weekly, top, labels), "queues"))


def _transit(store: ResultsStore, rec: StudyRecord, places: Places) -> str:
    t = _mean_details(store, rec, "transit")
    if not t:
        return "<h2>Transit times</h2><p class='muted'>No transit times recorded.</p>"
    vol = pd.concat(t.values()).groupby("key")["y"].sum().sort_values(ascending=False)
    corridors = list(vol.index[:6])
    return ("<h2>Transit-time distribution</h2><p>Share of the TEU delivered in the period that took at most x days, "
            "per corridor, pooled over the detail replications (log scale, cut at the 99th percentile).</p>"
            + _img(plots.transit_distribution(t, corridors, {c: places.corridor(str(c)) for c in corridors}), "transit"))


def _station_key(station_id: str) -> str:
    """A queue series' station id as KPI ids spell its facility: 'yard+yard2:handling' → 'yard_yard2', 'link:quay_x' → 'link_quay_x'."""
    head, _, tail = str(station_id).partition(":")
    return _key(f"{head}_{tail}" if tail.startswith("quay") else head)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_")
