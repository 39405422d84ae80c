"""A study of 1 replication per scenario (`silkway demo -r 1`, `study -r 1`) has no intervals and no tests: the headline
answers say "n/a (1 replication)" instead of printing empty ones. Before: "5 → 50 containers (Δ +45 , , not
significant)", "no facility queue grows significantly", "significant median changes by corridor: none", and the notes
spoke of wide intervals and "the 0 KPIs tested"."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from silkway.scenarios.headline import breaks_where, what_it_buys
from silkway.scenarios.store import StudyRecord
from silkway.scenarios.summary import method_notes, summarize_kpis

SCENARIOS = (("a", "base", 100, 95, 2, 10), ("b", "double", 200, 150, 40, 14), ("c", "green", 100, 95, 2, 8))


def _table(reps: int) -> tuple[StudyRecord, pd.DataFrame]:
    rec = StudyRecord("s", "t", datetime.now(UTC), 0, 30, reps, False, [{"name": n, "hash": h} for h, n, *_ in SCENARIOS], "d", "c")
    rows = [{"scenario_hash": h, "rep": rep, "kpi": kpi, "value": float(v) + 0.1 * rep}
            for h, _, gen, dlv, queue, transit in SCENARIOS for rep in range(reps)
            for kpi, v in (("generated_teu", gen), ("delivered_teu", dlv), ("max_queue_trains_yard", queue),
                           ("transit_days_median", transit), ("transit_days_median_corridor_middle", transit),
                           ("in_system_containers_end", gen - dlv))]
    return rec, summarize_kpis(rec, pd.DataFrame(rows))


def test_one_replication_prints_n_a_not_empty_intervals() -> None:
    rec, t = _table(1)
    lines = breaks_where(t, "double", "base") + what_it_buys(t, "green", "base")
    text = "\n".join(lines)
    assert ", ," not in text and "[" not in text and "not significant" not in text
    assert "delivered: 95 → 150 TEU (Δ +55; interval and significance n/a (1 replication))" in lines
    assert "which queues grow significantly: n/a (1 replication)" in lines
    assert "significant median changes by corridor: n/a (1 replication)" in lines
    notes = method_notes(rec, t)
    assert notes[0].startswith("warning: only 1 replication(s) per scenario: no intervals and no significance tests")
    assert not any("0 KPIs" in n for n in notes)


@pytest.mark.parametrize("reps", [2, 4])
def test_two_replications_and_more_keep_their_intervals(reps: int) -> None:
    _, t = _table(reps)
    lines = breaks_where(t, "double", "base")
    (delivered,) = [line for line in lines if line.startswith("delivered: ")]
    assert re.search(r"\(Δ \+55(\.0)? \[\+54\.\d, \+55\.\d\], p<0\.001, significant\)$", delivered), delivered
    assert not any("n/a" in line for line in lines)
