"""Round trip: load → write → load gives the same network; writing twice gives the same bytes."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silkway.limits import formula_problem
from silkway.network import default_dataset_path, read_dataset, write_dataset
from silkway.network.dataset import read_dated_dataset
from silkway.network.schema import TABLES

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


@pytest.mark.parametrize("source", [TINY, None], ids=["tiny", "eurasia"])
def test_load_write_load_is_identity(source: Path | None, tmp_path: Path) -> None:
    net = read_dated_dataset(source)  # every dated row
    write_dataset(net, tmp_path / "a")
    again = read_dated_dataset(tmp_path / "a")
    assert again == net
    for name in TABLES:  # record by record, for a readable failure
        assert again.table(name) == net.table(name), name
    write_dataset(again, tmp_path / "b")
    for f in sorted(p.name for p in (tmp_path / "a").iterdir()):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_a_snapshot_is_written_as_the_network_of_its_day(tmp_path: Path) -> None:
    """A snapshot written and read again is the same network (rows, values), with no periods left."""
    snap = read_dataset(None, as_of="2023-06-30")
    write_dataset(snap, tmp_path / "s")
    again = read_dataset(tmp_path / "s")
    assert again.as_of is None and again.manifest.reference_date is None
    assert again.link_by_id["kz_dostyk_aktogay"].capacity_trains_day == 12  # the 2023 row, not the 2025 one
    for name in TABLES:
        strip = [dataclasses.replace(r, valid_from=None, valid_to=None) if TABLES[name].dated else r for r in snap.table(name)]
        assert list(again.table(name)) == strip, name


def test_written_numbers_are_exact(tmp_path: Path) -> None:
    """Floats that are not short decimals survive the text form bit for bit."""
    net = read_dataset(TINY)
    link = dataclasses.replace(net.links[0], distance_km=96 + 1 / 3, speed_km_day=1e-3 + 959.0)
    changed = dataclasses.replace(net, links=(link, *net.links[1:]))
    write_dataset(changed, tmp_path)
    assert read_dataset(tmp_path).links[0].distance_km == 96 + 1 / 3
    assert read_dataset(tmp_path).links[0].speed_km_day == 1e-3 + 959.0


def test_equality_notices_a_change(tmp_path: Path) -> None:
    """The round-trip assertion can fail: a changed value makes the networks differ."""
    net = read_dataset(TINY)
    write_dataset(net, tmp_path)
    text = (tmp_path / "links.csv").read_text(encoding="utf-8").replace("l1,west,gate_cn,rail,1435,2,S-test,yes,electric,CN,,china,96,", "l1,west,gate_cn,rail,1435,2,S-test,yes,electric,CN,,china,97,")
    (tmp_path / "links.csv").write_text(text, encoding="utf-8")
    assert read_dataset(tmp_path) != net


def test_embedded_dataset_path_is_a_folder() -> None:
    assert (default_dataset_path() / "manifest.toml").is_file()


# text a spreadsheet would run as a formula (=, @, +x, -x) is refused on reading by design (docs/hardening.md)
_TEXT = (st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).map(str.strip).filter(bool)
         .filter(lambda s: formula_problem(s) is None))
_NUMBER = st.floats(min_value=0.001, max_value=1000, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(name=_TEXT, note=st.none() | _TEXT, aliases=st.lists(_TEXT.filter(lambda s: ";" not in s and s == s.strip()), max_size=3),
       cost=_NUMBER)
def test_round_trip_of_arbitrary_text_and_numbers(name: str, note: str | None, aliases: list[str], cost: float) -> None:
    """Quotes, commas, semicolons in text, non-Latin scripts and any float survive write → load."""
    net = read_dataset(TINY)
    node = dataclasses.replace(net.nodes[0], name=name, note=note, aliases=tuple(a.strip() for a in aliases if a.strip()))
    fac = dataclasses.replace(net.facilities[0], cost_usd_per_teu=cost)
    changed = dataclasses.replace(net, nodes=(node, *net.nodes[1:]), facilities=(fac, *net.facilities[1:]))
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(changed, tmp)
        assert read_dataset(tmp) == changed
