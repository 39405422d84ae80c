"""silkway.network.provenance and `silkway sources`: counts computed by hand on the tiny dataset."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from silkway.network import read_dataset
from silkway.network.provenance import locator_host, mirror_reason, provenance
from silkway.network.schema import TABLES

from ._edit import append_row, set_cell
from .test_cli_network import run

# (values, real, assumption_only, unsourced) of the unedited tiny dataset, counted from its CSVs:
# S-test is its one source, A-test its one assumption.
TINY = {
    ("nodes", "lat"): (5, 5, 0, 0),
    ("nodes", "lon"): (5, 5, 0, 0),
    ("links", "tracks"): (3, 3, 0, 0),  # l4 (ferry) has none
    ("links", "distance_km"): (4, 4, 0, 0),
    ("links", "speed_km_day"): (4, 4, 0, 0),
    ("links", "time_p90_factor"): (4, 0, 4, 0),
    ("links", "capacity_trains_day"): (3, 0, 3, 0),
    ("links", "capacity_trains_day_reverse"): (0, 0, 0, 0),
    ("links", "departures_per_week"): (1, 0, 1, 0),
    ("links", "capacity_teu_per_departure"): (1, 0, 1, 0),
    ("links", "first_departure_h"): (1, 0, 1, 0),
    ("facilities", "capacity_trains_day"): (3, 0, 3, 0),
    ("facilities", "capacity_teu_day"): (3, 0, 3, 0),
    ("facilities", "handling_h_median"): (3, 0, 3, 0),
    ("facilities", "handling_h_p90"): (3, 0, 3, 0),
    ("facilities", "customs_h_median"): (4, 0, 4, 0),
    ("facilities", "customs_h_p90"): (4, 0, 4, 0),
    ("facilities", "cost_usd_per_teu"): (5, 0, 5, 0),
    ("closures", "start_day_of_year"): (0, 0, 0, 0),
    ("closures", "duration_days"): (1, 0, 1, 0),
    ("closures", "events_per_year"): (1, 0, 1, 0),
    ("closures", "month_weights"): (0, 0, 0, 0),
    ("background", "trains_day"): (0, 0, 0, 0),  # tiny has no background.csv
    ("background", "wagons_week"): (0, 0, 0, 0),
    ("background", "tonnes_per_wagon"): (0, 0, 0, 0),
    ("acceptance", "trains_day"): (0, 0, 0, 0),  # nor acceptance.csv
    ("emission_factors", "co2e_g_per_tkm"): (3, 0, 3, 0),
    ("cost_rates", "usd_per_teu_km"): (3, 0, 3, 0),
    ("params", "value"): (4, 0, 4, 0),
}

# Source rows added by ``weak_sources``: (id, publisher, date, locator).
WEAK = [
    ("S-said", "Wikipedia (mirror somewhere)", "2024-01-02", "example.org/wiki/A"),  # says mirror, host unknown
    ("S-host", "Some site", "2020-05-06", "piglix.com/Lanzhou-Xinjiang_railway"),  # known mirror host
    ("S-sub", "Some wiki", "2021-03-04", "https://de.qwe.wiki/wiki/X"),  # subdomain of a known host, with scheme
    ("S-alike", "Another site", "2022-07-08", "notpiglix.com/page"),  # ends like a known host but is another one
    ("S-noloc", "Agency", "2019", ""),  # no locator, year only
    ("S-bare", "Agency", "2023-11", "www.china.org.cn/"),  # a host only
]


def counts(rep) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    return {(f.table, f.field): (f.values, f.real, f.assumption_only, f.unsourced) for f in rep.fields}


@pytest.fixture
def weak_sources(dataset_copy: Callable[..., Path]) -> Path:
    """tiny + six weak source rows, two of them cited, and five cells whose citations change."""
    folder = dataset_copy()
    for sid, publisher, date, locator in WEAK:
        append_row(folder, "sources.csv", [sid, "source", publisher, "A title", date, locator, ""])
    set_cell(folder, "links.csv", "l1", "distance_km_src", "A-test;S-said")  # mixed: counts as real, via a mirror only
    set_cell(folder, "links.csv", "l2", "distance_km_src", "S-said;S-test")  # a mirror and a primary: not mirror-only
    set_cell(folder, "links.csv", "l2", "tracks_src", "A-test")  # real 3 -> 2
    set_cell(folder, "nodes.csv", "west", "coord_src", "A-test")  # lat and lon: real 5 -> 4
    set_cell(folder, "facilities.csv", "gc_gate", "capacity_trains_day_src", "S-host;A-test")  # assumption 3 -> 2
    return folder


def test_tiny_counts_by_hand(tiny_dir: Path) -> None:
    rep = provenance(read_dataset(tiny_dir))
    assert counts(rep) == TINY
    assert (rep.n_sources, rep.n_assumptions) == (1, 1)
    assert rep.mirrors == rep.no_locator == rep.host_only_locator == rep.year_only_date == ()


def test_every_sourced_column_of_the_schema_is_reported(tiny_dir: Path) -> None:
    rep = provenance(read_dataset(tiny_dir))
    expected = [(name, c.name) for name, t in TABLES.items() for c in t.cols if c.src]
    assert [(f.table, f.field) for f in rep.fields] == expected
    assert all(f.src_column == TABLES[f.table].col(f.field).src for f in rep.fields)


def test_edited_citations_move_between_real_and_assumption(weak_sources: Path) -> None:
    rep = provenance(read_dataset(weak_sources))
    got = counts(rep)
    changed = {k: v for k, v in got.items() if v != TINY[k]}
    assert changed == {
        ("nodes", "lat"): (5, 4, 1, 0),
        ("nodes", "lon"): (5, 4, 1, 0),
        ("links", "tracks"): (3, 2, 1, 0),
        ("facilities", "capacity_trains_day"): (3, 1, 2, 0),
    }
    totals = rep.table_totals()
    assert (totals["nodes"].values, totals["nodes"].real, totals["nodes"].assumption_only) == (10, 8, 2)
    assert (totals["links"].values, totals["links"].real, totals["links"].assumption_only) == (21, 10, 11)
    assert (rep.n_sources, rep.n_assumptions) == (7, 1)
    mirror_only = {(f.table, f.field): f.mirror_only for f in rep.fields if f.mirror_only}
    assert mirror_only == {("links", "distance_km"): 1, ("facilities", "capacity_trains_day"): 1}
    assert (totals["links"].mirror_only, totals["facilities"].mirror_only, totals["nodes"].mirror_only) == (1, 1, 0)


def test_weak_sources_are_listed(weak_sources: Path) -> None:
    rep = provenance(read_dataset(weak_sources))
    assert [(f.source_id, f.uses) for f in rep.mirrors] == [("S-said", 2), ("S-host", 1), ("S-sub", 0)]
    assert rep.mirrors[0].reason == "publisher says mirror"
    assert rep.mirrors[1].reason.startswith("host piglix.com: ")
    assert rep.mirrors[2].reason.startswith("host qwe.wiki: ")
    assert [f.source_id for f in rep.no_locator] == ["S-noloc"]
    assert [(f.source_id, f.reason) for f in rep.host_only_locator] == [("S-bare", "locator is only the host china.org.cn")]
    assert [(f.source_id, f.reason) for f in rep.year_only_date] == [("S-noloc", "date 2019")]


def test_a_value_without_citation_is_unsourced(tiny_dir: Path) -> None:
    """Validation forbids it in a file; a network built in code can still carry one."""
    net = read_dataset(tiny_dir)
    l1 = net.link_by_id["l1"]
    bare = dataclasses.replace(l1, src=tuple((c, ids) for c, ids in l1.src if c != "distance_km_src"))
    rep = provenance(dataclasses.replace(net, links=(bare, *net.links[1:])))
    assert counts(rep)[("links", "distance_km")] == (4, 3, 0, 1)


@pytest.mark.parametrize(("locator", "host"), [
    ("en.people.cn/n3/2024/0115/c90000-20121835.html", "en.people.cn"),
    ("https://www.railwaygazette.com/x", "railwaygazette.com"),
    ("kazinform.kz a3992304", "kazinform.kz"),
    ("uic.org eNews 660", "uic.org"),
    ("tests/fixtures/tiny", None),
    ("", None),
    (None, None),
])
def test_locator_host(locator: str | None, host: str | None) -> None:
    assert locator_host(locator) == host


def test_mirror_reason_needs_the_word_or_a_listed_host(tiny_dir: Path) -> None:
    src = read_dataset(tiny_dir).sources[0]
    assert mirror_reason(src) is None
    assert mirror_reason(dataclasses.replace(src, publisher="Mirrored News")) is None  # not the word "mirror"
    assert mirror_reason(dataclasses.replace(src, locator="x.example/mirror/page")) == "locator says mirror"


def test_cli_sources_json_and_table(weak_sources: Path) -> None:
    res = run("sources", "--dataset", weak_sources, "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    got = {(f["table"], f["field"]): (f["values"], f["real"], f["assumption_only"], f["unsourced"]) for f in data["fields"]}
    assert got[("nodes", "lat")] == (5, 4, 1, 0)
    assert data["tables"]["links"] == {"values": 21, "real": 10, "assumption_only": 11, "unsourced": 0, "mirror_only": 1}
    assert [m["source_id"] for m in data["mirrors"]] == ["S-said", "S-host", "S-sub"]
    assert [m["source_id"] for m in data["no_locator"]] == ["S-noloc"]
    res = run("sources", "--dataset", weak_sources)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Mirror / content-farm sources (3)" in res.stdout
    assert "Sources without a locator (1)" in res.stdout
    row = next(line for line in res.stdout.splitlines() if "│ nodes" in line and "│ lat" in line)
    assert [c.strip() for c in row.split("│")[3:9]] == ["5", "4", "0", "1", "0", "80"]


def test_cli_sources_embedded_dataset() -> None:
    res = run("sources", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    net = read_dataset()
    assert data["n_sources"] + data["n_assumptions"] == len(net.sources)
    lat = next(f for f in data["fields"] if (f["table"], f["field"]) == ("nodes", "lat"))
    assert lat["values"] == len(net.nodes) == lat["real"] + lat["assumption_only"]
