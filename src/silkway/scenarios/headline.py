"""Headline answers from a study summary (``summarize_kpis`` table): where a scenario breaks the
corridor (queues that grow significantly, undelivered backlog, cargo held, diverted and refused) and what it buys
(transit times); ``capacity_lines`` states what each corridor can carry (silkway capacity)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

QUEUE_PREFIX = "max_queue_trains_"


@dataclass(frozen=True)
class QueueChange:
    facility: str
    base: float
    mean: float
    diff: float
    low: float
    high: float


def _row(table: pd.DataFrame, scenario: str, kpi: str) -> pd.Series | None:
    r = table[(table["scenario"] == scenario) & (table["kpi"] == kpi)]
    return None if r.empty else r.iloc[0]


def queue_growth(table: pd.DataFrame, scenario: str, base: str, top: int = 4, sign: int = 1) -> list[QueueChange]:
    """Facilities whose maximum queue changes significantly (sign=+1: grows, -1: shrinks), largest first."""
    out = []
    for r in table[(table["scenario"] == scenario) & table["kpi"].str.startswith(QUEUE_PREFIX)].itertuples():
        b = _row(table, base, r.kpi)
        if b is None or not r.significant or sign * r.diff <= 0:
            continue
        out.append(QueueChange(r.kpi.removeprefix(QUEUE_PREFIX), float(b["mean"]), r.mean, r.diff, r.diff_low, r.diff_high))
    return sorted(out, key=lambda q: -sign * q.diff)[:top]


def delivered_share(table: pd.DataFrame, scenario: str) -> float:
    d, g = _row(table, scenario, "delivered_teu"), _row(table, scenario, "generated_teu")
    if d is None or g is None or not g["mean"]:
        return math.nan
    return float(d["mean"] / g["mean"])


def change(table: pd.DataFrame, scenario: str, base: str, kpi: str, unit: str = "") -> str:
    """'a → b unit (Δ +x [lo, hi], p=…)' or '' when the KPI is missing."""
    r, b = _row(table, scenario, kpi), _row(table, base, kpi)
    if r is None or b is None:
        return ""
    sig = "significant" if r["significant"] else "not significant"
    return (f"{_n(b['mean'])} → {_n(r['mean'])}{unit} (Δ {_n(r['diff'], '+')} [{_n(r['diff_low'], '+')}, {_n(r['diff_high'], '+')}], "
            f"p={r['p_value']:.2g}, {sig})")


def _n(x: float, sign: str = "") -> str:
    """Two decimals below 100, whole numbers above (with thousands separators)."""
    return f"{x:{sign},.0f}" if abs(x) >= 100 else f"{x:{sign},.2f}"


def breaks_where(table: pd.DataFrame, scenario: str, base: str) -> list[str]:
    """Sentences: delivered share, backlog, delivered/held/diverted/refused cargo, where the diverted cargo goes,
    delivered per corridor, transit of delivered cargo, and the queues that grow most."""
    lines = [f"delivered {delivered_share(table, scenario):.1%} of the TEU generated in the period "
             f"(baseline {delivered_share(table, base):.1%})"]
    backlog = change(table, scenario, base, "in_system_containers_end", " containers")
    if backlog:
        lines.append(f"containers still in the system at the end: {backlog}")
    for kpi, label in (("delivered_teu", "delivered"), ("held_teu", "held at origin (booked out)"),
                       ("diverted_teu", "diverted to another corridor or to sea"), ("refused_teu", "refused")):
        c = change(table, scenario, base, kpi, " TEU")
        if c:
            lines.append(f"{label}: {c}")
    shifts = [f"{k.removeprefix('diverted_teu_').replace('_to_', ' → ')} {_n(_row(table, scenario, k)['mean'])}"
              for k in sorted(table["kpi"].unique()) if k.startswith("diverted_teu_") and "_to_" in k
              and _row(table, scenario, k) is not None and _row(table, scenario, k)["mean"] > 0]
    if shifts:
        lines.append("where the diverted cargo goes (TEU, mean): " + ", ".join(shifts))
    corridors = sorted(k.removeprefix("throughput_teu_corridor_") for k in table["kpi"].unique() if k.startswith("throughput_teu_corridor_"))
    per = [f"{c} {change(table, scenario, base, 'throughput_teu_corridor_' + c, ' TEU')}" for c in corridors
           if change(table, scenario, base, "throughput_teu_corridor_" + c, " TEU")]
    if per:
        lines.append("delivered by corridor: " + "; ".join(per))
    for kpi, label in (("transit_days_median", "median transit of delivered cargo"), ("held_days_p90", "P90 days held (held cargo)")):
        c = change(table, scenario, base, kpi, " days")
        if c:
            lines.append(f"{label}: {c}")
    grown = queue_growth(table, scenario, base)
    if grown:
        lines.append("it breaks first where the maximum queue grows most: " + "; ".join(
            f"{q.facility} {_n(q.base)} → {_n(q.mean)} trains (Δ {_n(q.diff, '+')} [{_n(q.low, '+')}, {_n(q.high, '+')}])"
            for q in grown))
    else:
        lines.append("no facility queue grows significantly")
    return lines


def what_it_buys(table: pd.DataFrame, scenario: str, base: str) -> list[str]:
    """Sentences: transit-time changes (overall and per corridor) and the queues that shrink most."""
    lines = []
    for kpi, label in (("transit_days_median", "median transit"), ("transit_days_p90", "P90 transit")):
        c = change(table, scenario, base, kpi, " days")
        if c:
            lines.append(f"{label}: {c}")
    corridors = sorted(k.removeprefix("transit_days_median_corridor_") for k in table["kpi"].unique()
                       if k.startswith("transit_days_median_corridor_"))
    per = [f"{c} {_row(table, scenario, 'transit_days_median_corridor_' + c)['diff']:+.2f} d" for c in corridors
           if _row(table, scenario, "transit_days_median_corridor_" + c) is not None
           and _row(table, scenario, "transit_days_median_corridor_" + c)["significant"]]
    lines.append("significant median changes by corridor: " + (", ".join(per) if per else "none"))
    shrunk = queue_growth(table, scenario, base, sign=-1)
    if shrunk:
        lines.append("queues that shrink most: " + "; ".join(
            f"{q.facility} {_n(q.base)} → {_n(q.mean)} trains (Δ {_n(q.diff, '+')})" for q in shrunk))
    return lines


def capacity_lines(report) -> list[str]:  # noqa: ANN001 (a silkway.capacity CapacityReport)
    """How much each corridor can carry (analytic maximum flow) and what binds it, one line per corridor and direction."""
    out = []
    for c in report.corridors:
        if c.corridor == "all" or c.trains_day is None:
            continue
        out.append(f"{c.corridor} {c.direction}: {_n(c.trains_day)} trains/day = {_n(c.teu_year)} TEU/yr "
                   f"(2023 demand uses {c.utilisation:.0%}); binding: {', '.join(c.binding) or 'none'}")
    return out
