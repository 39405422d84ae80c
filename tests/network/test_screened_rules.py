"""The cross-table rules screen whole columns, then run their row code on the rows that may break a rule
(silkway.network.columns). On a dataset with many planted errors of every kind, screening reports exactly the problems
(file, line, field, message, in the same order) that the row code reports when it looks at every row, and every
planted error is among them."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import pytest

from silkway.errors import DataError
from silkway.network import columns
from silkway.network.cache import LazyRecords
from silkway.network.dataset import read_dated_dataset
from silkway.network.parse_bulk import parse_table_bulk
from silkway.network.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
EXTRA_LINK_COLS = ["via_countries", "corridor", "departures_per_week", "departures_per_week_src", "capacity_teu_per_departure",
                   "capacity_teu_per_departure_src", "first_departure_h", "first_departure_h_src", "geometry"]


def _make_synthetic():
    spec = importlib.util.spec_from_file_location("make_synthetic", ROOT / "benchmarks" / "make_synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(folder: Path, file: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / file).read_text(encoding="utf-8"))))


def _write(folder: Path, file: str, rows: list[dict[str, str]], header: list[str]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (folder / file).write_text(buf.getvalue(), encoding="utf-8")


def plant(folder: Path) -> list[tuple[str, int, str]]:
    """Plant errors of every kind the cross-table rules know; (file, line, field) of each, as expected."""
    nodes, links, facs = _rows(folder, "nodes.csv"), _rows(folder, "links.csv"), _rows(folder, "facilities.csv")
    where = {n["node_id"]: n for n in nodes}
    expected: list[tuple[str, int, str]] = []

    def link(k: int, field: str, **cells: str) -> None:
        links[k].update(cells)
        expected.append(("links.csv", k + 2, field))

    def pt(node: str, dlon: float = 0.0, dlat: float = 0.0) -> str:
        return f"{float(where[node]['lon']) + dlon:.3f} {float(where[node]['lat']) + dlat:.3f}"

    link(10, "from_node", from_node="n1O")  # dangling, close to n10 (a hint)
    link(11, "to_node", to_node=links[11]["from_node"])
    link(12, "gauge_mm", gauge_mm="")
    link(13, "tracks", tracks="1.5")
    link(14, "energy", energy="electric", electrified="no")
    link(15, "gauge_mm", mode="road", energy="diesel")
    link(16, "departures_per_week", mode="ferry", energy="hfo", gauge_mm="", tracks="", tracks_src="")
    link(17, "first_departure_h", first_departure_h="3", first_departure_h_src="S-synth")
    link(18, "energy", energy="hfo")
    link(19, "speed_km_day", speed_km_day="5000")
    link(20, "corridor", corridor="Nowhere")
    link(21, "via_countries", via_countries="kz;KZ;K1")
    link(22, "distance_km", distance_km="0.001")
    link(23, "distance_km", to_node=links[-1]["to_node"], distance_km="29999")
    link(24, "geometry", geometry=f"{pt(links[24]['from_node'])};200 10;{pt(links[24]['to_node'])}")
    link(25, "geometry", geometry=pt(links[25]["from_node"]))
    link(26, "geometry", geometry=f"{pt(links[26]['from_node'], 3)};{pt(links[26]['to_node'])}")
    link(27, "distance_km_src", distance_km_src="S-nope;S-synth")
    links[28]["link_id"] = "l29"  # a duplicate key: reported on the second row
    expected.append(("links.csv", 31, "link_id"))
    links[30]["geometry"] = f"{pt(links[30]['from_node'])};{pt(links[30]['from_node'], 0.1, 0.1)};{pt(links[30]['to_node'])}"  # fine
    for k in (40, 41):
        links[k]["gauge_mm"] = "1435"  # gauge breaks (reported on a node), one across a dual-gauge link
    links[42]["gauge_mm"] = "1435;1520"
    where["n100"]["lat"] = f"{float(where['n100']['lat']) + 4:.5f}"  # its links are now too short
    where["n200"]["country"] = "UZ" if where["n200"]["country"] != "UZ" else "KZ"  # borders without a facility
    nodes[5]["node_id"] = "n6"
    expected.append(("nodes.csv", 8, "node_id"))
    facs += [{"facility_id": "f-dangling", "node_id": "n77777", "facility_kind": "border"},
             {"facility_id": "f-gauge", "node_id": "n300", "facility_kind": "gauge_change", "gauges": "1520"},
             {"facility_id": "f-half", "node_id": "n301", "facility_kind": "terminal", "handling_h_median": "5", "handling_h_src": "S-synth"},
             {"facility_id": "f-p90", "node_id": "n302", "facility_kind": "terminal", "handling_h_median": "5", "handling_h_p90": "4",
              "handling_h_src": "S-synth"},
             {"facility_id": "f-to", "node_id": "n303", "facility_kind": "border", "gauge_to_mm": "1435"}]
    expected += [("facilities.csv", len(facs) - 3, "node_id"), ("facilities.csv", len(facs) - 2, "gauges"),
                 ("facilities.csv", len(facs) - 1, "handling_h_p90"), ("facilities.csv", len(facs), "handling_h_p90"),
                 ("facilities.csv", len(facs) + 1, "gauge_to_mm")]
    _write(folder, "nodes.csv", nodes, list(nodes[0]))
    _write(folder, "links.csv", links, [*links[0], *(c for c in EXTRA_LINK_COLS if c not in links[0])])
    _write(folder, "facilities.csv", facs, [c.name for c in TABLES["facilities"].cols])
    (folder / "closures.csv").write_text(
        "closure_id,target_kind,target_id,kind,start_day_of_year,duration_days,events_per_year,month_weights,src,note\n"
        "c1,node,n99999,random,,2,1,,S-synth,\nc2,link,l5,recurring,,3,,,S-synth,\nc3,link,l6,random,,3,,,S-synth,\n"
        "c4,facility,f-gone,recurring,10,3,,1;1;1;1;1;1;1;1;1;1;1;2,S-synth,\nc5,link,l7,random,,3,1,,S-synth,\n", encoding="utf-8")
    expected += [("closures.csv", 2, "target_id"), ("closures.csv", 3, "start_day_of_year"), ("closures.csv", 4, "events_per_year"),
                 ("closures.csv", 5, "target_id"), ("closures.csv", 5, "month_weights")]
    (folder / "background.csv").write_text(
        "background_id,target_kind,target_id,direction,cargo,trains_day,wagons_week,tonnes_per_wagon,priority,src,note\n"
        "b1,link,l99999,both,coal,2,,,reserved,S-synth,\nb2,link,l8,both,coal,2,,,reserved,S-synth,\n", encoding="utf-8")
    expected += [("background.csv", 2, "target_id"), ("background.csv", 3, "target_id")]
    (folder / "acceptance.csv").write_text("acceptance_id,link_id,direction,trains_day,src,note\n"
                                           "a1,l99999,forward,3,S-synth,\na2,l9,forward,3,S-synth,\n", encoding="utf-8")
    expected += [("acceptance.csv", 2, "link_id"), ("acceptance.csv", 3, "link_id")]
    return expected


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    _make_synthetic().make(3000, folder, seed=7)
    return folder, plant(folder)


def _problems(folder: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(DataError) as err:
        read_dated_dataset(folder)
    return [(p.file, p.line, p.field, p.message) for p in err.value.problems]


def test_every_table_parses_column_wise_so_the_rules_see_columns(planted):
    folder, _ = planted
    for name, table in TABLES.items():
        if (folder / table.file).exists():
            assert isinstance(parse_table_bulk(table, name, (folder / table.file).read_bytes()), LazyRecords), name


def test_screening_reports_exactly_what_the_row_code_reports_on_every_row(planted, monkeypatch):
    folder, expected = planted
    screened = _problems(folder)
    monkeypatch.setattr(columns, "SCREEN", False)
    every_row = _problems(folder)
    assert screened == every_row
    found = {(f, line, field) for f, line, field, _ in screened}
    assert set(expected) <= found, sorted(set(expected) - found)
    assert len(screened) > len(expected) + 10  # and what follows: the moved node's links, borders, ports, rates
    assert sum("gauge break" in m for *_, m in screened) == 3
    fields = {field for _, _, field, _ in screened}
    assert {"distance_km", "geometry", "gauge_to_mm", "from_node", "to_node", "mode", "departures_per_week"} <= fields


def test_nodes_cut_off_are_found_column_wise_as_row_by_row(tmp_path, monkeypatch):
    _make_synthetic().make(2000, tmp_path, seed=3)
    nodes, links = _rows(tmp_path, "nodes.csv"), _rows(tmp_path, "links.csv")
    nodes += [{"node_id": f"iso{i}", "name": f"Iso {i}", "aliases": "", "country": "KZ", "lat": "45", "lon": str(70 + i / 10),
               "coord_src": "S-synth", "node_kind": "junction", "note": ""} for i in (2, 1, 0, 3)]
    links += [links[0] | {"link_id": f"iso-{a}", "from_node": f"iso{a}", "to_node": f"iso{b}", "distance_km": "9", "country": "KZ"}
              for a, b in ((0, 1), (1, 2))]
    _write(tmp_path, "nodes.csv", nodes, list(nodes[0]))
    _write(tmp_path, "links.csv", links, list(links[0]))
    screened = _problems(tmp_path)
    monkeypatch.setattr(columns, "SCREEN", False)
    assert screened == _problems(tmp_path)
    n = len(nodes) + 1
    assert [(line, m) for _, line, _, m in screened] == [
        (n - 3, "'iso2' is not connected to the main network (it lies in a separate group of 3 node(s))"),
        (n - 2, "'iso1' is not connected to the main network (it lies in a separate group of 3 node(s))"),
        (n - 1, "'iso0' is not connected to the main network (it lies in a separate group of 3 node(s))"),
        (n, "'iso3' is not connected to the main network (it lies in a separate group of 1 node(s))")]


def test_a_valid_big_table_is_checked_without_building_its_records(tmp_path, monkeypatch):
    from silkway.network import dataset

    monkeypatch.setattr(dataset, "LAZY_ROWS", 1000)  # tables this long stay lazy (a smaller one becomes a tuple)
    _make_synthetic().make(3000, tmp_path, seed=7)
    built: list[str] = []
    real = LazyRecords._all

    def spy(self):
        built.append(self._name)
        return real(self)

    monkeypatch.setattr(LazyRecords, "_all", spy)
    net = read_dated_dataset(tmp_path)
    assert len(net.links) > 3000 and not {"nodes", "links"} & set(built), built
    assert isinstance(net.links, LazyRecords) and isinstance(net.sources, tuple)
