"""Scenario files: validation with located errors, extends, hashing, apply (pure), diff."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
from study_doubles import TINY

from silkway.errors import ScenarioError
from silkway.network import read_dataset
from silkway.scenarios.apply import apply_network, option_changes, select_links, shortest_path_links
from silkway.scenarios.diff import diff_definitions, diff_effects
from silkway.scenarios.load import load_scenario, parse_scenario


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


BASE = f"""\
silkway_scenario: 1
name: base
dataset: {TINY}
customs:
  green_channel_share: 0.2
"""


@pytest.fixture
def net():
    return read_dataset(TINY)


def test_minimal_file_is_valid():
    s = parse_scenario("silkway_scenario: 1\nname: x\n")
    assert s.name == "x" and s.links == () and s.customs.green_channel_share is None


def test_errors_name_file_yaml_path_line_and_problem(tmp_path):
    p = write(tmp_path, "bad.yaml", f"""\
        silkway_scenario: 1
        name: bad
        dataset: {TINY}
        links:
          - ids: [l2]
            scale:
              capacity_trains_day: -2
        customs:
          green_channel_share: 1.5
          colour: green
        """)
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    msg = str(e.value)
    assert str(p) in msg and "3 problems" in msg
    assert "customs.green_channel_share (line 9): Input should be less than or equal to 1" in msg
    assert "customs.colour (line 10): unknown key" in msg
    assert "links[0] (line 5): 'capacity_trains_day' must be > 0 (got -2.0)" in msg


def test_missing_version_and_bad_yaml(tmp_path):
    with pytest.raises(ScenarioError, match=r"silkway_scenario.*required key is missing"):
        load_scenario(write(tmp_path, "a.yaml", "name: a\n"))
    with pytest.raises(ScenarioError, match="unsupported scenario format version 2"):
        load_scenario(write(tmp_path, "v.yaml", "silkway_scenario: 2\nname: a\n"))
    with pytest.raises(ScenarioError, match=r"b.yaml \(line 2\): not valid YAML"):
        load_scenario(write(tmp_path, "b.yaml", "name: [a\nx: : y\n"))
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_extends_merges_and_appends(tmp_path):
    write(tmp_path, "base.yaml", BASE + "links:\n  - ids: [l2]\n    set: {tracks: 2}\n")
    child = write(tmp_path, "child.yaml", """\
        silkway_scenario: 1
        name: child
        extends: base.yaml
        customs: {green_channel_factor: 0.5}
        links:
          - ids: [l3]
            scale: {capacity_trains_day: 2}
        """)
    ls = load_scenario(child)
    s = ls.scenario
    assert s.name == "child" and Path(s.dataset) == TINY
    assert s.customs.green_channel_share == 0.2 and s.customs.green_channel_factor == 0.5
    assert [c.ids for c in s.links] == [("l2",), ("l3",)]
    assert [p.name for p in ls.chain] == ["base.yaml", "child.yaml"]


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "silkway_scenario: 1\nname: a\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "silkway_scenario: 1\nname: b\nextends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle a.yaml → b.yaml → a.yaml"):
        load_scenario(tmp_path / "a.yaml")


def test_hash_is_portable_and_sensitive(tmp_path):
    (tmp_path / "x").mkdir()
    a = load_scenario(write(tmp_path, "a.yaml", BASE))
    b = load_scenario(write(tmp_path / "x", "a.yaml", BASE))  # same content, other folder
    c = load_scenario(write(tmp_path, "c.yaml", BASE.replace("0.2", "0.3")))
    assert a.hash == b.hash != c.hash


def test_apply_network_is_pure_and_changes_copies(net, tmp_path):
    s = load_scenario(write(tmp_path, "s.yaml", BASE + """\
links:
  - between: [West Terminal, Harbour]
    mode: rail
    scale: {capacity_trains_day: 2}
  - mode: ferry
    set: {departures_per_week: 3}
facilities:
  - node: gate_cn
    kind: gauge_change
    scale: {capacity_trains_day: 1.5, handling_h_median: 0.5}
new_facilities:
  - {facility_id: new_yard, node: Harbour, facility_kind: dry_port, gauges: [1435, 1520], capacity_trains_day: 5, note: assumption for a test}
""")).scenario
    before = dataclasses.replace(net)
    new = apply_network(s, net)
    assert net == before and net.link_by_id["l2"].capacity_trains_day == 10  # input untouched
    assert [new.link_by_id[i].capacity_trains_day for i in ("l1", "l2", "l3")] == [40, 20, 24]
    assert new.link_by_id["l4"].departures_per_week == 3
    gc = new.facility_by_id["gc_gate"]
    assert (gc.capacity_trains_day, gc.handling_h_median) == (15, 1.0)
    assert new.facility_by_id["new_yard"].node_id == "harbour" and new.facility_by_id["new_yard"].changes_gauge


def test_closures_customs_avoid_become_options(net):
    s = parse_scenario("""\
silkway_scenario: 1
name: o
customs: {green_channel_share: 0.5, green_channel_factor: 0.25}
closures:
  - {mode: ferry, start_day: 10, days: 7, note: Caspian storm week}
  - {target: node, ids: [Gate KZ], start_day: 100, days: 14}
avoid: [RU, ferry]
simulation: {route_mode: adaptive, warmup_days: 10}
""")
    o = option_changes(s, net)
    assert o["green_channel_share"] == 0.5 and o["green_channel_factor"] == 0.25
    assert [(c.target_kind, c.target_id, c.start_day_of_year, c.duration_days) for c in o["extra_closures"]] == [
        ("link", "l4", 10, 7), ("node", "gate_kz", 100, 14)]
    assert o["avoid"] == ("RU", "ferry") and o["route_mode"] == "adaptive" and o["warmup_days"] == 10


def test_selection_errors_are_located(net):
    with pytest.raises(ScenarioError, match=r"links\[0\].ids: unknown link id\(s\) nope"):
        apply_network(parse_scenario("silkway_scenario: 1\nname: e\nlinks: [{ids: [nope], set: {tracks: 2}}]\n"), net)
    with pytest.raises(ScenarioError, match=r"links\[0\].between: unknown place 'Harbor'.*Did you mean: Harbour"):
        apply_network(parse_scenario("silkway_scenario: 1\nname: e\nlinks: [{between: [West, Harbor], set: {tracks: 2}}]\n"), net)
    with pytest.raises(ScenarioError, match=r"links\[0\]: no link matches"):
        apply_network(parse_scenario("silkway_scenario: 1\nname: e\nlinks: [{mode: road, set: {tracks: 2}}]\n"), net)
    with pytest.raises(ScenarioError, match="has no departures_per_week to scale"):
        apply_network(parse_scenario("silkway_scenario: 1\nname: e\nlinks: [{ids: [l1], scale: {departures_per_week: 2}}]\n"), net)


def test_shortest_path_and_selector(net):
    assert shortest_path_links(net, "west", "isle") == ["l1", "l2", "l3", "l4"]
    sel = parse_scenario("silkway_scenario: 1\nname: e\nlinks: [{corridor: kz, set: {tracks: 2}}]\n").links[0]
    assert select_links(net, sel, "x") == ("l2", "l3")


def test_diff_lists_definition_and_effect_changes(net, tmp_path):
    a = load_scenario(write(tmp_path, "a.yaml", BASE)).scenario
    b = load_scenario(write(tmp_path, "b.yaml", BASE.replace("name: base", "name: b") + "links: [{ids: [l2], set: {tracks: 2}}]\n")).scenario
    d = [str(c) for c in diff_definitions(a, b)]
    assert "name: base → b" in d and "links[0].set.tracks: — → 2" in d and not any(x.startswith("links:") for x in d)
    e = [str(c) for c in diff_effects(a, b, net)]
    assert e == ["link l2.tracks: 1 → 2"]


def test_demand_growth_by_od_corridor_and_removal(net):
    from study_doubles import ROOT

    from silkway.scenarios.apply import apply_demand
    from silkway.simulation import read_demand

    demand = read_demand(ROOT / "tests" / "scenarios" / "data" / "tiny-demand.csv", net)
    s = parse_scenario("""\
silkway_scenario: 1
name: d
demand:
  growth:
    - {factor: 2}
    - {od: [West Terminal, Isle Port], factor: 1.5}
    - {corridor: kz, factor: 0}
""")
    out = apply_demand(s, net, demand)
    assert {f.flow_id: f.teu_per_week for f in out.flows} == {"f1": 400 * 2 * 1.5, "f2": 150 * 2 * 1.5}
    assert demand.teu_per_week == 850  # the input is not modified
    bad = parse_scenario("silkway_scenario: 1\nname: d\ndemand: {growth: [{corridor: sea, factor: 2}]}\n")
    with pytest.raises(ScenarioError, match=r"demand.growth\[0\].corridor: no demand flow on corridor 'sea'"):
        apply_demand(bad, net, demand)
