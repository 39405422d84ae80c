"""The report's tables: KPIs named for people (headline first, every KPI one click away) and provenance."""

from __future__ import annotations

import html
import json
import math

import pandas as pd

from silkway.kpi_catalogue import Group
from silkway.scenarios.numfmt import interval, num, pvalue
from silkway.scenarios.store import StudyRecord


def kpi_tables(table: pd.DataFrame, rec: StudyRecord, headline: list[str]) -> str:
    """The headline KPIs in reading order, then every KPI grouped (in a collapsed <details>)."""
    every = sorted(table["kpi"].unique(), key=lambda k: (int(table.loc[table["kpi"] == k, "group"].iloc[0]), k)) if len(table) else []
    return ("<h2>KPIs</h2><p>Mean over replications [95% CI]; Δ = difference to the baseline [95% CI] and its adjusted "
            "p-value; <span class='sig'>red</span>: significant. <span class='muted'>†</span>: interval clipped at a bound the "
            "KPI cannot cross (e.g. 0).</p>" + _table(table, rec, headline, grouped=False)
            + f"<details><summary>All {len(every)} KPIs</summary>{_table(table, rec, every, grouped=True)}</details>")


def _table(table: pd.DataFrame, rec: StudyRecord, kpis: list[str], grouped: bool) -> str:
    base = rec.scenarios[0]["name"] if rec.scenarios else ""
    head = "".join(f"<th>{html.escape(s['name'])}</th>" + (f"<th>Δ vs {html.escape(base)}</th>" if i else "")
                   for i, s in enumerate(rec.scenarios))
    ncol = 2 + 2 * len(rec.scenarios) - 1
    by = {k: g for k, g in table.groupby("kpi", sort=False)}
    rows, group = [], None
    for kpi in kpis:
        g = by.get(kpi)
        if g is None:
            continue
        first = g.iloc[0]
        if grouped and first["group"] != group:
            group = first["group"]
            rows.append(f"<tr class='g'><th colspan='{ncol}'>{html.escape(Group(int(group)).label)}</th></tr>")
        unit = str(first["unit"])
        cells = []
        for i, s in enumerate(rec.scenarios):
            r = g[g["scenario"] == s["name"]]
            if not len(r):
                cells.append("<td></td>" + ("<td></td>" if i else ""))
                continue
            r = r.iloc[0]
            mark = "†" if r["ci_clipped"] else ""
            cells.append(f"<td>{num(r['mean'], unit)}<br><small>{interval(r['ci_low'], r['ci_high'], unit)}{mark}</small></td>")
            if i:
                sig = " class='sig'" if r["significant"] else ""
                diff = "" if math.isnan(r["diff"]) else (f"{num(r['diff'], unit, signed=True)}<br>"
                                                         f"<small>{interval(r['diff_low'], r['diff_high'], unit, signed=True)} "
                                                         f"{pvalue(r['p_adjusted'])}</small>")
                cells.append(f"<td{sig}>{diff}</td>")
        shown_unit = "%" if unit == "share" else unit
        rows.append(f"<tr><td class='k' title='{html.escape(kpi)}'>{html.escape(str(first['name']))}</td>"
                    f"<td>{html.escape(shown_unit)}</td>{''.join(cells)}</tr>")
    return f"<div class='wide'><table><tr><th class='k'>KPI</th><th>unit</th>{head}</tr>{''.join(rows)}</table></div>"


def provenance(rec: StudyRecord, definitions: dict[str, dict]) -> str:
    """Who ran what: one row per scenario (hash, what it changes, flattened to 'field: value'), then the study's seeds,
    dataset and code versions."""
    rows = []
    for s in rec.scenarios:
        d = definitions.get(s["hash"], {})
        changes = _flatten({k: v for k, v in d.items() if k not in ("silkway_scenario", "name", "extends", "description")})
        items = "".join(f"<li><code>{html.escape(k)}</code>: {html.escape(v)}</li>" for k, v in changes[:40])
        more = f"<li class='muted'>… {len(changes) - 40} more</li>" if len(changes) > 40 else ""
        rows.append(f"<tr><td class='k'><b>{html.escape(s['name'])}</b><br><code>{s['hash']}</code></td>"
                    f"<td class='k'>{html.escape(str(d.get('description') or ''))}</td>"
                    f"<td class='k'><ul style='margin:0;padding-left:1.2em'>{items}{more}</ul></td></tr>")
    seeds = (f"derived from study seed {rec.seed}, replication index"
             + (" (common random numbers: the same for every scenario)" if rec.crn else " and scenario hash"))
    meta = "".join(f"<tr><th class='k'>{html.escape(k)}</th><td class='k' colspan='2'>{html.escape(str(v))}</td></tr>" for k, v in (
        ("study", rec.study_id), ("created", f"{rec.created_utc:%Y-%m-%d %H:%M} UTC"), ("simulated days", rec.days),
        ("seeds", seeds), ("dataset", rec.dataset_version), ("code", rec.code_version)))
    return ("<h2>Provenance</h2><p>Each replication in the store records scenario hash, dataset version, code version and "
            "seed.</p><table>" + meta + "</table><table><tr><th class='k'>scenario</th><th class='k'>description</th>"
            "<th class='k'>what it sets (beyond the dataset's defaults)</th></tr>" + "".join(rows) + "</table>")


def _flatten(value: object, prefix: str = "") -> list[tuple[str, str]]:
    """[('simulation.days', '365'), ('changes[0].link', 'xb_brest'), …] for the set (non-empty) fields."""
    if isinstance(value, dict):
        return [kv for k, v in value.items() if v not in (None, [], {}, "") for kv in _flatten(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [kv for i, v in enumerate(value) for kv in _flatten(v, f"{prefix}[{i}]")]
    text = ", ".join(map(str, value)) if isinstance(value, list) else json.dumps(value) if isinstance(value, bool) else str(value)
    return [(prefix, text)]
