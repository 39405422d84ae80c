"""The embedded eurasia dataset: valid, complete for the seed places of the issue, every number sourced."""

from __future__ import annotations

import pytest

from silkway.network import Network, read_dataset
from silkway.network.places import resolve_place
from silkway.network.schema import TABLES

SEED_PLACES = [
    "Lianyungang", "Xi'an", "Chongqing", "Chengdu", "Zhengzhou", "Yiwu", "Urumqi", "Alashankou", "Dostyk",
    "Horgos", "Altynkol", "Khorgos Gateway", "Zharkent", "Aktogay", "Almaty", "Moyinty", "Zhezkazgan", "Beineu",
    "Aktau", "Kuryk", "Turkmenbashi", "Baku", "Alat", "Tbilisi", "Akhalkalaki", "Kars", "Poti", "Batumi",
    "Constanța", "Istanbul", "Brest", "Małaszewicze", "Duisburg", "Bandar Abbas", "Shanghai", "Rotterdam",
]


@pytest.fixture(scope="module")
def net() -> Network:
    return read_dataset()


def test_loads_without_problems(net: Network) -> None:
    assert len(net.nodes) > 30 and len(net.links) > 30
    assert net.manifest.name == "eurasia"


@pytest.mark.parametrize("place", SEED_PLACES)
def test_seed_place_present(net: Network, place: str) -> None:
    node_id = resolve_place(net, place)
    assert node_id in net.node_by_id


@pytest.mark.parametrize("spelling", ["xian", "XI'AN", "constanta", "Malaszewicze", "  almaty ", "ürümqi"])
def test_tolerant_spellings(net: Network, spelling: str) -> None:
    assert resolve_place(net, spelling) in net.node_by_id


# Numeric columns the format does not cover by a source column: none.
UNSOURCED_BY_FORMAT: set[tuple[str, str]] = set()


def test_every_numeric_column_is_covered_by_a_source_column() -> None:
    uncovered = {(t.file, c.name) for t in TABLES.values() for c in t.cols if c.kind == "float" and not c.src}
    assert uncovered == UNSOURCED_BY_FORMAT


def test_every_numeric_cell_has_a_known_source(net: Network) -> None:
    known = {s.source_id for s in net.sources}
    unsourced = []
    for name, table in TABLES.items():
        for rec in net.table(name):
            src = dict(rec.src)
            for col in table.cols:
                if col.kind == "float" and col.src and getattr(rec, col.name) is not None:
                    ids = src.get(col.src, ())
                    if not ids or not set(ids) <= known:
                        unsourced.append(f"{table.file}:{rec.line}:{col.name}")
    assert unsourced == []


def test_assumptions_state_their_reasoning(net: Network) -> None:
    for s in net.sources:
        if s.kind == "assumption":
            assert s.note, s.source_id
        else:
            assert s.publisher and s.title and s.date, s.source_id
