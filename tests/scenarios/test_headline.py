"""Headline sentences from a study summary built from known replication values."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from silkway.scenarios.headline import breaks_where, delivered_share, queue_growth, what_it_buys
from silkway.scenarios.store import StudyRecord
from silkway.scenarios.summary import summarize_kpis


def table():
    rec = StudyRecord("s", "t", datetime.now(UTC), 0, 30, 4, False,
                      [{"name": "base", "hash": "a"}, {"name": "double", "hash": "b"}, {"name": "green", "hash": "c"}], "d", "c")
    rows = []
    for h, gen, dlv, q_yard, q_port, transit in (("a", 100, 95, 2, 3, 10), ("b", 200, 150, 40, 3, 14), ("c", 100, 95, 2, 1, 8)):
        for rep, noise in enumerate((-0.2, 0.1, 0.0, 0.1)):
            for kpi, v in (("generated_teu", gen), ("delivered_teu", dlv), ("max_queue_trains_yard", q_yard + noise),
                           ("max_queue_trains_port", q_port + noise), ("transit_days_median", transit + noise),
                           ("transit_days_median_corridor_middle", transit + noise), ("in_system_containers_end", gen - dlv + noise)):
                rows.append({"scenario_hash": h, "rep": rep, "kpi": kpi, "value": float(v)})
    return summarize_kpis(rec, pd.DataFrame(rows))


def test_breaks_where_names_the_growing_queue():
    t = table()
    assert delivered_share(t, "double") == 0.75
    grown = queue_growth(t, "double", "base")
    assert [q.facility for q in grown] == ["yard"] and round(grown[0].diff) == 38
    lines = breaks_where(t, "double", "base")
    assert lines[0] == "delivered 75.0% of the TEU generated in the period (baseline 95.0%)"
    assert "yard 2 → 40 trains (Δ +38 [+37.8, +38.2])" in lines[-1] and "port" not in lines[-1]


def test_what_it_buys_lists_transit_and_shrinking_queues():
    lines = what_it_buys(table(), "green", "base")
    assert lines[0].startswith("median transit: 10 → 8 days (Δ -2 [-2.24, -1.76], p<0.001, significant)")
    assert "Middle (Trans-Caspian) -2 d" in " ".join(lines)
    assert lines[-1] == "queues that shrink most: port 3 → 1 trains (Δ -2)"
