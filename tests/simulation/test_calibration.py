"""Calibration: a simulated 2023 on the embedded dataset against the observed 2023 figures.

The network as of 2023-06-30 (dated rows). Fitted on 2023 outcomes only (docs/simulation.md): the TEU/week of the
default demand rows, so that Horgos and Alashankou carry their 2023 train counts, the Caspian containers the reported
container scale and the China–EU flow the ERA 2023 volume; the ferries' other cargo (background.csv) is the TITR 2023
tonnage less the containers. Not fitted, and checked here as outcomes: transit times, queues, every yard in use.
"""

from __future__ import annotations

import pytest

from silkway.network import read_dataset
from silkway.simulation import default_demand, simulate

HORGOS_2023, ALASHANKOU_2023 = 7762, 6635  # trains, both directions (Xinhua / People's Daily, Jul 2024)
TITR_2023_MT = (2.7, 2.8)  # Mt, all cargo (KZ ministry 2.7, KTZ 2.8)
# containers across the Caspian in 2023: TITR 25.2k TEU (2021), +33% (2022), grown with the 2023 TITR tonnage (+65%): ~55k
CASPIAN_TEU_2023 = (30_000, 70_000)


@pytest.fixture(scope="module")
def net_2023():
    return read_dataset(as_of="2023-06-30")


@pytest.fixture(scope="module")
def year_2023(net_2023):
    return simulate(net_2023, default_demand(net_2023), days=365, seed=0)


@pytest.mark.slow
def test_border_train_counts(year_2023):
    k = year_2023.kpis()
    assert k["trains_border_horgos"] == pytest.approx(HORGOS_2023, rel=0.05)
    assert k["trains_border_alashankou"] == pytest.approx(ALASHANKOU_2023, rel=0.05)


@pytest.mark.slow
def test_trans_caspian_volume_in_reported_range(year_2023):
    k = year_2023.kpis()
    assert TITR_2023_MT[0] <= k["trans_caspian_mt"] <= TITR_2023_MT[1]
    assert CASPIAN_TEU_2023[0] <= k["trans_caspian_teu"] <= CASPIAN_TEU_2023[1]
    assert k["trans_caspian_all_cargo_t"] == pytest.approx(k["trans_caspian_teu"] * 12 + k["trans_caspian_other_t"])
    assert k["trans_caspian_other_t"] > 2 * k["trans_caspian_container_t"]  # most Trans-Caspian tonnes are not containers


@pytest.mark.slow
def test_every_gauge_yard_carries_trains(year_2023, net_2023):
    """Each direction's yard is used: gauge changes happen where the receiving railway's yard is, not all in one place."""
    st = year_2023.stations
    used = {f for s, n in zip(st.facility, st.trains, strict=True) if n > 0 for f in str(s).split("+")}
    yards = {f.facility_id for f in net_2023.facilities if f.changes_gauge}
    assert yards and yards <= used, f"idle yards: {sorted(yards - used)}"


@pytest.mark.slow
def test_unfitted_outcomes_are_plausible(year_2023):
    """Not fitted: China → EU transit times by the northern route (reported 12–18 d typical, China → Poland 13–15 d)
    and a steady state (no runaway queue)."""
    k = year_2023.kpis()
    sh = year_2023.shipments
    to_eu = sh[sh.destination.isin(["malaszewicze", "duisburg"]) & sh.origin.isin(["xian", "chengdu", "chongqing", "zhengzhou"])]
    assert 10.0 <= to_eu.transit_days.median() <= 18.0
    assert k["delivered_teu"] > 0.95 * k["generated_teu"]
    c = year_2023.conservation
    assert (c.generated == c.delivered + c.in_system + c.held + c.refused).all()
