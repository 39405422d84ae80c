"""Validation of directions and background traffic: each rule reports the exact file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.errors import DataError
from silkway.network import read_dataset

from ._edit import add_column, set_cell

B, F, L = "background.csv", "facilities.csv", "links.csv"
HEADER = "background_id,target_kind,target_id,direction,cargo,trains_day,wagons_week,tonnes_per_wagon,priority,src,note\n"


def with_background(d: Path, *rows: str) -> Path:
    (d / B).write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return d


def located(d: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(DataError) as exc:
        read_dataset(d)
    return [(p.file, p.line, p.field, p.message) for p in exc.value.problems]


def only(d: Path) -> tuple[str, int | None, str | None, str]:
    got = located(d)
    assert len(got) == 1, got
    return got[0]


def test_valid_background_reads(dataset_copy):
    d = with_background(dataset_copy(), "b1,link,l3,both,bulk,2,,,reserved,A-test,", "b2,link,l4,forward,oil,,20,60,reserved,A-test,",
                        "b3,facility,gc_gate,both,bulk,1,,,reserved,A-test,")
    net = read_dataset(d)
    assert [b.background_id for b in net.background] == ["b1", "b2", "b3"]
    assert net.background_of[("link", "l4")][0].wagons_week == 20


def test_background_target_must_exist(dataset_copy):
    d = with_background(dataset_copy(), "b1,link,l9,both,bulk,2,,,reserved,A-test,")
    assert only(d)[:3] == (B, 2, "target_id") and "does not exist" in only(d)[3]


def test_rail_background_counts_trains(dataset_copy):
    d = with_background(dataset_copy(), "b1,link,l3,both,bulk,,5,60,reserved,A-test,")
    got = located(d)
    assert sorted((f, ln, fld) for f, ln, fld, _ in got) == [(B, 2, "trains_day"), (B, 2, "wagons_week")]


def test_ferry_background_counts_wagons_with_payload(dataset_copy):
    d = with_background(dataset_copy(), "b1,link,l4,both,oil,,20,,reserved,A-test,")
    f, ln, fld, msg = only(d)
    assert (f, ln, fld) == (B, 2, "tonnes_per_wagon") and "payload" in msg


def test_background_must_leave_room_for_containers(dataset_copy):
    """l3: 12 trains/day each way; 7 + 5 in the forward direction fill it (reported on the row that fills it)."""
    d = with_background(dataset_copy(), "b1,link,l3,forward,bulk,7,,,reserved,A-test,", "b2,link,l3,both,grain,5,,,reserved,A-test,")
    f, ln, fld, msg = only(d)
    assert (f, ln, fld) == (B, 3, "trains_day") and "fills the capacity" in msg and "12" in msg


def test_ferry_background_must_leave_room(dataset_copy):
    """l4: one sailing a week of 54 wagons (params default) — 60 wagons a week cannot fit."""
    d = with_background(dataset_copy(), "b1,link,l4,reverse,oil,,60,60,reserved,A-test,")
    f, ln, fld, msg = only(d)
    assert (f, ln, fld) == (B, 2, "wagons_week") and "54" in msg


def test_facility_background_has_no_direction(dataset_copy):
    d = with_background(dataset_copy(), "b1,facility,gc_gate,forward,bulk,1,,,reserved,A-test,")
    assert only(d)[:3] == (B, 2, "direction")


def test_background_needs_a_source(dataset_copy):
    d = with_background(dataset_copy(), "b1,link,l3,both,bulk,2,,,reserved,,")
    assert only(d)[:3] == (B, 2, "src")


def test_feeder_or_sea_carries_no_background(dataset_copy):
    d = dataset_copy()
    set_cell(d, L, "l4", "mode", "feeder")
    set_cell(d, L, "l4", "energy", "vlsfo")
    with_background(d, "b1,link,l4,both,oil,,20,60,reserved,A-test,")
    got = [p for p in located(d) if p[0] == B]
    assert [(f, ln, fld) for f, ln, fld, _ in got] == [(B, 2, "target_id")] and "containers only" in got[0][3]


def test_gauge_to_must_be_one_of_the_yards_gauges(dataset_copy):
    d = dataset_copy()
    add_column(d, F, "gauge_to_mm")
    line = set_cell(d, F, "gc_gate", "gauge_to_mm", "1435;1520")
    f, ln, fld, msg = only(d)
    assert (f, ln, fld) == (F, line, "gauge_to_mm") and "one of the facility's gauges" in msg


def test_gauge_to_only_on_a_yard(dataset_copy):
    d = dataset_copy()
    add_column(d, F, "gauge_to_mm")
    line = set_cell(d, F, "bd_gate_kz", "gauge_to_mm", "1520")
    assert only(d)[:3] == (F, line, "gauge_to_mm")


def test_a_one_way_yard_leaves_the_other_direction_without_a_gauge_change(dataset_copy):
    """tiny's only yard made westbound-only (onto 1520): trains arriving on 1520 cannot change back."""
    d = dataset_copy()
    add_column(d, F, "gauge_to_mm")
    line = set_cell(d, F, "gc_gate", "gauge_to_mm", "1520")
    f, ln, fld, msg = only(d)
    assert (f, ln, fld) == (F, line, "gauge_to_mm") and "no yard transships onto 1435 mm" in msg


def test_reverse_capacity_needs_a_source(dataset_copy):
    d = dataset_copy()
    add_column(d, L, "capacity_trains_day_reverse")
    add_column(d, L, "capacity_trains_day_reverse_src")
    line = set_cell(d, L, "l2", "capacity_trains_day_reverse", "8")
    assert only(d)[:3] == (L, line, "capacity_trains_day_reverse_src")
    set_cell(d, L, "l2", "capacity_trains_day_reverse_src", "A-test")
    lk = read_dataset(d).link_by_id["l2"]
    assert (lk.capacity_from("gate_cn"), lk.capacity_from("gate_kz")) == (10, 8)
