"""Round trip: load → write → load gives the same network; writing twice gives the same bytes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from silkway.network import default_dataset_path, read_dataset, write_dataset
from silkway.network.schema import TABLES

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


@pytest.mark.parametrize("source", [TINY, None], ids=["tiny", "eurasia"])
def test_load_write_load_is_identity(source: Path | None, tmp_path: Path) -> None:
    net = read_dataset(source)
    write_dataset(net, tmp_path / "a")
    again = read_dataset(tmp_path / "a")
    assert again == net
    for name in TABLES:  # record by record, for a readable failure
        assert again.table(name) == net.table(name), name
    write_dataset(again, tmp_path / "b")
    for f in sorted(p.name for p in (tmp_path / "a").iterdir()):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


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
    text = (tmp_path / "links.csv").read_text(encoding="utf-8").replace("l1,west,gate_cn,rail,1435,2,yes,electric,CN,,china,96,", "l1,west,gate_cn,rail,1435,2,yes,electric,CN,,china,97,")
    (tmp_path / "links.csv").write_text(text, encoding="utf-8")
    assert read_dataset(tmp_path) != net


def test_embedded_dataset_path_is_a_folder() -> None:
    assert (default_dataset_path() / "manifest.toml").is_file()
