"""Calibration: a simulated 2023 on the embedded dataset against the observed 2023 figures.

Fitted (docs/simulation.md): the TEU/week of the default demand rows, so that Horgos and Alashankou carry their
2023 train counts and the Caspian crossings the TITR 2023 tonnage. Not fitted, and checked here as outcomes:
transit times (reported 12–18 days China → EU on the northern route).
"""

from __future__ import annotations

import pytest

from silkway.network import read_dataset
from silkway.simulation import default_demand, simulate

HORGOS_2023, ALASHANKOU_2023 = 7762, 6635  # trains, both directions (Xinhua / People's Daily, Jul 2024)
TITR_2023_MT = (2.7, 2.8)  # Mt (KZ ministry 2.7, KTZ 2.8)


@pytest.fixture(scope="module")
def year_2023():
    net = read_dataset()
    return simulate(net, default_demand(net), days=365, seed=0)


@pytest.mark.slow
def test_border_train_counts(year_2023):
    k = year_2023.kpis()
    assert k["trains_border_horgos"] == pytest.approx(HORGOS_2023, rel=0.05)
    assert k["trains_border_alashankou"] == pytest.approx(ALASHANKOU_2023, rel=0.05)


@pytest.mark.slow
def test_trans_caspian_volume_in_reported_range(year_2023):
    mt = year_2023.kpis()["trans_caspian_mt"]
    assert TITR_2023_MT[0] <= mt <= TITR_2023_MT[1]


@pytest.mark.slow
def test_unfitted_outcomes_are_plausible(year_2023):
    """Not fitted: northern transit times (reported 12–18 d typical) and a steady state (no runaway queue)."""
    k = year_2023.kpis()
    assert 10.0 <= k["transit_days_median_corridor_northern"] <= 18.0
    assert k["delivered_teu"] > 0.95 * k["generated_teu"]
    c = year_2023.conservation
    assert (c.generated == c.delivered + c.in_system).all()
