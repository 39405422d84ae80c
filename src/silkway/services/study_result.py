"""What ``silkway.study()`` returns in a notebook: the stored study, its KPI table, the headline and the method."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from silkway.scenarios.headline import headline_kpis
from silkway.scenarios.numfmt import interval, num
from silkway.scenarios.store import StudyRecord
from silkway.scenarios.study import StudyRun


@dataclass(frozen=True)
class StudyResult:
    """``table``: one row per (KPI, scenario) (:func:`silkway.scenarios.summary.summarize_kpis`); ``notes``: how the
    statistics were computed, warnings first; ``store``: the DuckDB file holding every replication."""

    record: StudyRecord
    run: StudyRun
    table: pd.DataFrame
    notes: tuple[str, ...]
    store: Path

    @property
    def study_id(self) -> str:
        return self.record.study_id

    def headline(self, all_kpis: bool = False) -> pd.DataFrame:
        """KPIs × scenarios, human names and units, mean and Δ to the baseline (the headline KPIs, or every one)."""
        keep = list(dict.fromkeys(self.table["kpi"])) if all_kpis else headline_kpis(self.table)
        t = self.table[self.table["kpi"].isin(keep)]
        wide = t.pivot_table(index=["kpi", "name", "unit"], columns="scenario", values=["mean", "diff"], sort=False)
        order = {k: i for i, k in enumerate(keep)}
        return wide.sort_index(key=lambda ix: ix.map(order) if ix.name == "kpi" else ix)

    def __repr__(self) -> str:
        names = ", ".join(s["name"] for s in self.record.scenarios)
        return (f"StudyResult({self.record.study_id}: {names}; {self.record.replications} replication(s) × {self.record.days} days; "
                f"{self.table['kpi'].nunique()} KPIs; .table, .headline(), .notes)")

    def _repr_html_(self) -> str:
        names = [s["name"] for s in self.record.scenarios]
        head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
        rows = []
        for kpi in headline_kpis(self.table):
            g = self.table[self.table["kpi"] == kpi].set_index("scenario")
            first = g.iloc[0]
            cells = []
            for i, n in enumerate(names):
                if n not in g.index:
                    cells.append("<td></td>")
                    continue
                r = g.loc[n]
                extra = (f" (Δ {num(r['diff'], r['unit'], signed=True)}{'*' if r['significant'] else ''})" if i
                         else f" {interval(r['ci_low'], r['ci_high'], r['unit'])}")
                cells.append(f"<td style='text-align:right;white-space:nowrap'>{num(r['mean'], r['unit'])}{extra}</td>")
            rows.append(f"<tr><td style='text-align:left'>{html.escape(str(first['name']))}</td><td>{html.escape(str(first['unit']))}</td>"
                        f"{''.join(cells)}</tr>")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<p><b>{html.escape(repr(self))}</b></p><table><tr><th>KPI</th><th>unit</th>{head}</tr>{''.join(rows)}</table>"
                f"<ul style='color:#555'>{notes}</ul>")
