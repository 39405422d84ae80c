"""Headline answers from a study summary (``summarize_kpis`` table): where a scenario breaks the
corridor (queues that grow significantly, undelivered backlog, cargo held, diverted and refused) and what it buys
(transit times); ``capacity_lines`` states what each corridor can carry (silkway capacity)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from silkway.kpi_catalogue import Group, describe, position
from silkway.scenarios.numfmt import interval, num, pvalue

if TYPE_CHECKING:
    from silkway.capacity.model import CapacityReport

QUEUE_PREFIX = "max_queue_trains_"
DELAY_PREFIX = "added_delay_train_h_"
TOP_BOTTLENECKS = 5
TOP_QUEUES = 3


@dataclass(frozen=True)
class QueueChange:
    facility: str  # human name of the place (the KPI catalogue's subject)
    base: float
    mean: float
    diff: float
    low: float
    high: float


def _row(table: pd.DataFrame, scenario: str, kpi: str) -> pd.Series | None:
    r = table[(table["scenario"] == scenario) & (table["kpi"] == kpi)]
    return None if r.empty else r.iloc[0]


def headline_kpis(table: pd.DataFrame, top: int = TOP_BOTTLENECKS, queues: int = TOP_QUEUES) -> list[str]:
    """The KPIs a planner reads first, in reading order: delivered, held/diverted/refused, transit overall,
    each corridor (delivered, transit median and P90), Trans-Caspian containers and tonnes (the catalogue's core
    KPIs; per-corridor rows only where some scenario uses the corridor), then the ``top`` bottlenecks by added
    delay and the ``queues`` longest queues (largest mean in any scenario, zeros left out)."""
    if not len(table):
        return []
    peak = table.groupby("kpi")["mean"].max()
    first = table.drop_duplicates("kpi").set_index("kpi")
    core = [k for k, r in first.iterrows() if describe(k).core and not (r["group"] == Group.CORRIDOR and not peak.get(k, 0))]
    corridor_used = {k.rsplit("_corridor_", 1)[-1] for k in core if k.startswith("throughput_teu_corridor_")}
    core = [k for k in core if "_corridor_" not in k or k.rsplit("_corridor_", 1)[-1] in corridor_used]

    def largest(prefix: str, n: int) -> list[str]:
        p = peak[[k.startswith(prefix) for k in peak.index]]
        return [k for k, v in p.sort_values(ascending=False, kind="stable").items() if v > 0][:n]

    chosen = core + largest(DELAY_PREFIX, top) + largest(QUEUE_PREFIX, queues)
    rank = {k: i for i, k in enumerate(chosen)}
    return sorted(chosen, key=lambda k: (int(first.loc[k, "group"]),
                                         k.rsplit("_corridor_", 1)[-1] if first.loc[k, "group"] == Group.CORRIDOR else "",
                                         position(k), rank[k]))


def growth(table: pd.DataFrame, scenario: str, base: str, prefix: str = QUEUE_PREFIX, top: int = 4, sign: int = 1) -> list[QueueChange]:
    """Places whose KPI (``prefix``: maximum queue or added delay) changes significantly (sign=+1: grows, -1: shrinks),
    largest change first."""
    out = []
    for r in table[(table["scenario"] == scenario) & table["kpi"].str.startswith(prefix)].itertuples():
        b = _row(table, base, r.kpi)
        if b is None or not r.significant or sign * r.diff <= 0:
            continue
        place = getattr(r, "subject", "") or r.kpi.removeprefix(prefix)
        out.append(QueueChange(place, float(b["mean"]), r.mean, r.diff, r.diff_low, r.diff_high))
    return sorted(out, key=lambda q: -sign * q.diff)[:top]


def queue_growth(table: pd.DataFrame, scenario: str, base: str, top: int = 4, sign: int = 1) -> list[QueueChange]:
    """Facilities whose maximum queue changes significantly (sign=+1: grows, -1: shrinks), largest first."""
    return growth(table, scenario, base, QUEUE_PREFIX, top, sign)


def delivered_share(table: pd.DataFrame, scenario: str) -> float:
    d, g = _row(table, scenario, "delivered_teu"), _row(table, scenario, "generated_teu")
    if d is None or g is None or not g["mean"]:
        return math.nan
    return float(d["mean"] / g["mean"])


def change(table: pd.DataFrame, scenario: str, base: str, kpi: str, unit: str = "") -> str:
    """'a → b unit (Δ +x [lo, hi], p=…)' or '' when the KPI is missing; p is the adjusted p-value."""
    r, b = _row(table, scenario, kpi), _row(table, base, kpi)
    if r is None or b is None:
        return ""
    untested = _untested(min(int(r["n"]), int(b["n"])))
    if untested:  # no interval, no test: an empty "[, ]" would read as a result
        return f"{_n(b['mean'])} → {_n(r['mean'])}{unit} (Δ {_n(r['diff'], '+')}; interval and significance {untested})"
    sig = "significant" if r["significant"] else "not significant"
    p = r["p_adjusted"] if "p_adjusted" in r else r["p_value"]
    return (f"{_n(b['mean'])} → {_n(r['mean'])}{unit} (Δ {_n(r['diff'], '+')} {interval(r['diff_low'], r['diff_high'], signed=True)}, "
            f"{pvalue(p)}, {sig})")


def _n(x: float, sign: str = "") -> str:
    return num(x, signed=bool(sign))


def _untested(n: int) -> str:
    """'n/a (1 replication)' when ``n`` replications allow no interval and no test (fewer than 2), else ''."""
    return f"n/a ({n} replication{'' if n == 1 else 's'})" if n < 2 else ""


def _replications(table: pd.DataFrame, *scenarios: str) -> int:
    """The fewest replications of a KPI in any of ``scenarios``."""
    n = table.loc[table["scenario"].isin(scenarios), "n"]
    return int(n.min()) if len(n) else 0


def breaks_where(table: pd.DataFrame, scenario: str, base: str) -> list[str]:
    """Sentences: delivered share, backlog, delivered/held/diverted/refused cargo, where the diverted cargo goes,
    delivered per corridor, transit of delivered cargo, and the queues that grow most."""
    lines = [f"delivered {delivered_share(table, scenario):.1%} of the TEU generated in the period "
             f"(baseline {delivered_share(table, base):.1%})"]
    backlog = change(table, scenario, base, "in_system_containers_end", " containers")
    if backlog:
        lines.append(f"containers still in the system at the end: {backlog}")
    for kpi, label in (("delivered_teu", "delivered"), ("held_teu", "held at origin at some point (booked out)"),
                       ("diverted_teu", "diverted to another corridor or to sea"), ("refused_teu", "refused")):
        c = change(table, scenario, base, kpi, " TEU")
        if c:
            lines.append(f"{label}: {c}")
    diverted = {k: r for k in sorted(table["kpi"].unique()) if k.startswith("diverted_teu_") and "_to_" in k
                and (r := _row(table, scenario, k)) is not None}
    shifts = [f"{r.get('subject') or k.removeprefix('diverted_teu_').replace('_to_', ' → ')} {_n(r['mean'])}"
              for k, r in diverted.items() if r["mean"] > 0]
    if shifts:
        lines.append("where the diverted cargo goes (TEU, mean): " + ", ".join(shifts))
    corridors = sorted(k.removeprefix("throughput_teu_corridor_") for k in table["kpi"].unique() if k.startswith("throughput_teu_corridor_"))
    per = [f"{_subject(table, 'throughput_teu_corridor_' + c)} {change(table, scenario, base, 'throughput_teu_corridor_' + c, ' TEU')}"
           for c in corridors
           if change(table, scenario, base, "throughput_teu_corridor_" + c, " TEU")]
    if per:
        lines.append("delivered by corridor: " + "; ".join(per))
    for kpi, label in (("transit_days_median", "median transit of delivered cargo"), ("held_days_p90", "P90 days held (held cargo)")):
        c = change(table, scenario, base, kpi, " days")
        if c:
            lines.append(f"{label}: {c}")
    for kpi, label in (("trans_caspian_teu", "trans-Caspian containers"),):
        c = change(table, scenario, base, kpi, " TEU")
        if c:
            lines.append(f"{label}: {c}")
    delay = growth(table, scenario, base, DELAY_PREFIX)
    if delay:
        lines.append("added delay grows most at: " + "; ".join(
            f"{q.facility} {_n(q.base)} → {_n(q.mean)} train-hours (Δ {_n(q.diff, '+')} {interval(q.low, q.high, signed=True)})"
            for q in delay))
    grown = queue_growth(table, scenario, base)
    untested = _untested(_replications(table, scenario, base))
    if untested:
        lines.append(f"which queues grow significantly: {untested}")
    elif grown:
        lines.append("it breaks first where the maximum queue grows most: " + "; ".join(
            f"{q.facility} {_n(q.base)} → {_n(q.mean)} trains (Δ {_n(q.diff, '+')} {interval(q.low, q.high, signed=True)})"
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
    per_corridor = {c: r for c in corridors if (r := _row(table, scenario, "transit_days_median_corridor_" + c)) is not None}
    per = [f"{_subject(table, 'transit_days_median_corridor_' + c)} {_n(r['diff'], '+')} d"
           for c, r in per_corridor.items() if r["significant"]]
    untested = _untested(_replications(table, scenario, base))
    lines.append("significant median changes by corridor: " + (untested or ", ".join(per) or "none"))
    less = growth(table, scenario, base, DELAY_PREFIX, sign=-1)
    if less:
        lines.append("added delay shrinks most at: " + "; ".join(
            f"{q.facility} {_n(q.base)} → {_n(q.mean)} train-hours (Δ {_n(q.diff, '+')})" for q in less))
    shrunk = queue_growth(table, scenario, base, sign=-1)
    if shrunk:
        lines.append("queues that shrink most: " + "; ".join(
            f"{q.facility} {_n(q.base)} → {_n(q.mean)} trains (Δ {_n(q.diff, '+')})" for q in shrunk))
    return lines


def _subject(table: pd.DataFrame, kpi: str) -> str:
    r = table[table["kpi"] == kpi]
    return str(r.iloc[0]["subject"]) if len(r) and "subject" in r and r.iloc[0]["subject"] else kpi.rsplit("_corridor_", 1)[-1]


def capacity_lines(report: CapacityReport) -> list[str]:
    """How much each corridor can carry (analytic maximum flow) and what binds it, one line per corridor and direction."""
    out = []
    for c in report.corridors:
        if c.corridor == "all" or c.trains_day is None or c.teu_year is None:
            continue
        out.append(f"{c.corridor} {c.direction}: {_n(c.trains_day)} trains/day = {_n(c.teu_year)} TEU/yr "
                   f"(2023 demand uses {c.utilisation:.0%}); binding: {', '.join(c.binding) or 'none'}")
    return out
