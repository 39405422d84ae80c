"""The deep-sea lanes shipped in the embedded dataset (built by scripts/build_sea_lanes.py; no searoute here):
they stay at sea, keep out of the Caspian, pass their chokepoint, measure what their geometry measures, and the
Suez lanes end when carriers left the Red Sea."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import silkway
from silkway.network import Network
from silkway.network.dataset import read_dated_dataset
from silkway.network.validate import great_circle_km, polyline_km
from silkway.report.basemap import land_km

SUEZ = (32.55, 30.0)  # lon, lat
CASPIAN = (46.0, 36.0, 55.5, 47.5)  # lon min, lat min, lon max, lat max
RED_SEA = (32.0, 12.5, 44.0, 30.0)
LAST_SUEZ_DAY = date(2023, 12, 14)  # Maersk paused Bab al-Mandab transits on 2023-12-15 (S-maersk-2023-redsea)


@pytest.fixture(scope="module")
def full() -> Network:
    return read_dated_dataset()


@pytest.fixture(scope="module")
def lanes(full: Network) -> dict[str, object]:
    return {lk.link_id: lk for lk in full.links if lk.mode == "sea"}


def via(link_id: str) -> str:
    return "cape" if link_id.endswith("_cape") else "gulf" if link_id.endswith("bandar_abbas") else "suez"


def test_every_port_pair_has_its_lanes(lanes: dict) -> None:
    for o in ("shanghai", "lianyungang"):
        for d in ("rotterdam", "hamburg", "constanta", "ambarli", "poti"):
            assert {f"sea_{o}_{d}", f"sea_{o}_{d}_cape"} <= set(lanes)
        assert f"sea_{o}_bandar_abbas" in lanes
    assert len(lanes) == 22


def test_every_lane_has_a_reviewable_geometry(lanes: dict) -> None:
    for lk in lanes.values():
        assert 10 <= len(lk.geometry) <= 60, lk.link_id


def test_no_lane_enters_the_caspian(lanes: dict) -> None:
    x0, y0, x1, y1 = CASPIAN
    for lk in lanes.values():
        assert not any(x0 <= lon <= x1 and y0 <= lat <= y1 for lon, lat in lk.geometry), lk.link_id


def test_each_lane_passes_its_chokepoint(lanes: dict) -> None:
    for lk in lanes.values():
        pts = lk.geometry
        near_suez = min(great_circle_km(lat, lon, SUEZ[1], SUEZ[0]) for lon, lat in pts)
        round_cape = any(lat < -30 and 18 <= lon <= 25 for lon, lat in pts)
        in_red_sea = any(RED_SEA[0] <= lon <= RED_SEA[2] and RED_SEA[1] <= lat <= RED_SEA[3] for lon, lat in pts)
        kind = via(lk.link_id)
        assert (near_suez < 50) == (kind == "suez"), (lk.link_id, near_suez)
        assert round_cape == (kind == "cape"), lk.link_id
        assert in_red_sea == (kind == "suez"), lk.link_id


def test_no_lane_crosses_land(lanes: dict) -> None:
    """Natural Earth 1:50m land, outside the canals and straits it draws as land and the ports' own coasts."""
    for lk in lanes.values():
        assert land_km(np.asarray(lk.geometry)) <= 10, lk.link_id


def test_the_land_check_can_fail() -> None:
    across_anatolia = np.array([(29.0, 41.0), (35.0, 39.0), (41.6, 42.1)])
    assert land_km(across_anatolia) > 500


def test_distance_is_the_geometry_length_within_5_percent(lanes: dict) -> None:
    for lk in lanes.values():
        assert lk.distance_km == pytest.approx(polyline_km(lk.geometry), rel=0.05), lk.link_id


def test_suez_lanes_end_the_day_before_the_diversion_and_the_others_never(lanes: dict) -> None:
    for lk in lanes.values():
        assert lk.valid_to == (LAST_SUEZ_DAY if via(lk.link_id) == "suez" else None), lk.link_id
        assert lk.valid_from is None


def test_the_network_uses_suez_before_the_crisis_and_the_cape_during_it(full: Network) -> None:
    before, during = full.at(LAST_SUEZ_DAY), full.at(date(2023, 12, 15))
    sea_before = {lk.link_id for lk in before.links if lk.mode == "sea"}
    sea_during = {lk.link_id for lk in during.links if lk.mode == "sea"}
    assert "sea_shanghai_rotterdam" in sea_before and "sea_shanghai_rotterdam_cape" in sea_before
    assert all(via(i) != "suez" for i in sea_during) and len(sea_during) == 12
    assert before.cost_rate("sea", "XX").valid_to == LAST_SUEZ_DAY
    assert during.cost_rate("sea", "XX").valid_from == date(2023, 12, 15)


def sea_option(day: str):
    net = silkway.read_dataset(as_of=day)
    result = silkway.route(net, "Shanghai", "Rotterdam", depart=day, objective="cost", alternatives=4)
    return next(o for o in result.options if o.corridor == "sea")


def test_shanghai_rotterdam_by_sea_goes_round_the_cape_in_2024() -> None:
    before, during = sea_option("2023-06-01"), sea_option("2024-06-01")
    assert [lg.link_id for lg in before.legs if lg.kind == "move" and lg.mode == "sea"] == ["sea_shanghai_rotterdam"]
    assert [lg.link_id for lg in during.legs if lg.kind == "move" and lg.mode == "sea"] == ["sea_shanghai_rotterdam_cape"]
    assert 35 <= before.days_median <= 45  # 35-45 d via Suez (S-village-2024-sea)
    assert 10 <= during.days_median - before.days_median <= 14  # the Cape adds 10-14 d (S-village-2024-sea)
    assert during.cost_usd > 3 * before.cost_usd  # the crisis rate (Drewry 2024) against the 2023 rate


def test_the_product_does_not_import_searoute() -> None:
    src = Path(silkway.__file__).parent
    assert not [p for p in src.rglob("*.py") if "import searoute" in p.read_text(encoding="utf-8")]


@pytest.mark.slow
def test_the_shipped_lanes_are_what_the_build_script_computes(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """links.csv holds exactly the rows scripts/build_sea_lanes.py computes (needs the build extra: searoute)."""
    pytest.importorskip("searoute")
    import importlib.util

    path = Path(__file__).parents[2] / "scripts" / "build_sea_lanes.py"
    spec = importlib.util.spec_from_file_location("build_sea_lanes", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, capsys.readouterr().out
