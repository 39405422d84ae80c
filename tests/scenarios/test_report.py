"""The HTML report: self-contained (no network access needed), with maps, plots and the KPI table."""

from __future__ import annotations

import re

from study_doubles import double_spec, replicate_double

from silkway.report import build_report
from silkway.scenarios.backends import LocalBackend
from silkway.scenarios.study import run_study


def test_report_is_self_contained_and_complete(store, tmp_path):
    spec = double_spec(replications=4)
    run_study(spec, store, replicate_double, LocalBackend(1))
    path = build_report(store, store.study(spec.study_id), tmp_path / "out")
    text = path.read_text(encoding="utf-8")
    assert path.name == "report.html" and text.startswith("<!doctype html>")
    assert "<script" not in text and "<link" not in text
    assert not re.search(r"(src|href)=['\"]?https?:", text)  # nothing fetched from the network
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(images) == 5  # two maps on one scale, the difference map, queues, transit times
    assert all(len(i) > 2000 for i in images)
    assert "Difference to the baseline (base)" in text and "share one scale" in text
    # the KPI table names every KPI for people (the id in a tooltip), both scenarios and a difference column
    for kpi, name in (("throughput_teu", "throughput_teu"), ("max_queue_trains_gc_gate", "Longest queue at Gate CN gauge-change yard"),
                      ("rep_index", "rep_index")):
        assert f"title='{kpi}'>{name}</td>" in text
    assert "Δ vs base" in text and "Welch t-tests" in text and "Holm" in text
    assert "warning: only 4 replication(s)" in text
    assert "{'" not in text  # provenance is a table, not a Python dict
    # the headline lists exactly the KPIs that changed significantly by more than 5%
    from silkway.scenarios.summary import summarize_kpis

    table = summarize_kpis(store.study(spec.study_id), store.kpis(spec.study_id))
    headline = text.split("<h2>Headline</h2>")[1].split("<h2>")[0]
    for row in table[table["scenario"] == "more"].itertuples():
        base = table[(table["scenario"] == "base") & (table["kpi"] == row.kpi)]["mean"].iloc[0]
        expected = row.significant and abs(row.diff) > 0.05 * abs(base)
        assert (f"title='{row.kpi}'" in headline) == expected, row.kpi


def test_report_shows_capacity_and_the_saturation_curve(store, tmp_path):
    """The demo's capacity lines and saturation curve (real ones: the embedded dataset, two multipliers, 20 days) appear
    in the report."""
    import io

    from silkway.capacity.curve import curve_figure
    from silkway.report.html import CapacitySection
    from silkway.scenarios.headline import capacity_lines
    from silkway.services.capacity import capacity, saturation_curve

    spec = double_spec(replications=2)
    run_study(spec, store, replicate_double, LocalBackend(1))
    got, cap = capacity(as_of="2023-06-30")
    curve = saturation_curve(got, (1.0, 2.0), replications=1, days=20)
    buf = io.BytesIO()
    curve_figure(curve.table).savefig(buf, format="png")
    lines = capacity_lines(cap)
    assert lines and all("trains/day" in x and "binding" in x for x in lines)
    path = build_report(store, store.study(spec.study_id), tmp_path / "out", CapacitySection(got.label, tuple(lines), buf.getvalue()))
    text = path.read_text(encoding="utf-8")
    section = text.split("<h2>How much each corridor can carry</h2>")[1].split("<h2>Saturation curve</h2>")
    assert all(f"<li>{line}</li>" in section[0] for line in lines[:2])
    assert "data:image/png;base64," in section[1]
