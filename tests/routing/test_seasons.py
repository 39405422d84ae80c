"""Dates and seasons in the route planner: the month profile of closures (closures.csv month_weights) and the dated
Suez closure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from silkway.network import read_dataset
from silkway.network.model import Closure
from silkway.network.seasons import MONTH_DAYS, closed_probability, daily_rates, seasonal_starts
from silkway.routing import Router
from silkway.routing.conditions import FREE

WINTER = (2, 2, 1.5, 1, 0.6, 0.3, 0.3, 0.3, 0.6, 1.2, 1.8, 2)


def _storm(weights=WINTER) -> Closure:
    return Closure("s", "link", "x", "random", 2.0, events_per_year=6.0, month_weights=weights)


def test_month_rates_keep_the_yearly_mean():
    c = _storm()
    rates = daily_rates(c)
    assert sum(r * d for r, d in zip(rates, MONTH_DAYS, strict=True)) == pytest.approx(6.0)
    assert rates[0] / rates[6] == pytest.approx(2 / 0.3)
    flat = daily_rates(_storm(None))
    assert flat == (6.0 / 365,) * 12
    assert closed_probability(c, 1) == pytest.approx(1 - math.exp(-rates[0] * 2.0))
    assert closed_probability(_storm(None), None) == pytest.approx(1 - math.exp(-6 / 365 * 2))


def test_seasonal_starts_follow_the_profile():
    """Many simulated years: events per month within 4 standard errors of the profile's expectation."""
    c = _storm()
    rng = np.random.default_rng(1)
    years, warm = 400, 720.0
    starts = seasonal_starts(c, warm + years * 8760.0, warm, rng)
    reported = starts[starts >= warm] - warm
    month = np.searchsorted(np.cumsum(np.asarray(MONTH_DAYS) * 24.0), reported % 8760.0, side="right")
    counts = np.bincount(month, minlength=12)
    expected = np.asarray(daily_rates(c)) * np.asarray(MONTH_DAYS) * years
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected) + 1)
    assert np.all(np.diff(starts) >= 0)


@pytest.fixture(scope="module")
def caspian():
    return Router(read_dataset(as_of="2024-06-01"))


def test_caspian_p90_is_longer_in_january_than_july(caspian):
    """Aktau → Baku crosses the Caspian; storms (closures.csv, A-season-caspian) are ~7× likelier in January than in July,
    so more sailings are cancelled: the P90 departing on a January Monday is longer than on a July Monday (same weekday:
    the timetable is the same)."""
    jan = caspian.route("Aktau", "Baku", depart="2024-01-08", samples=4000, conditions=FREE, alternatives=1).best
    jul = caspian.route("Aktau", "Baku", depart="2024-07-08", samples=4000, conditions=FREE, alternatives=1).best
    assert any(leg.mode in ("ferry", "feeder") for leg in jan.legs)
    assert [leg.link_id for leg in jan.legs] == [leg.link_id for leg in jul.legs]
    assert jan.days_p90 > jul.days_p90 + 0.1
    assert jan.days_median >= jul.days_median


def test_suez_closure_by_date():
    """Shanghai → Rotterdam by sea: via Suez before 2023-12-15, round the Cape after (links.csv, dated lanes)."""
    before = Router(read_dataset(as_of="2023-06-01")).route("Shanghai", "Rotterdam", depart="2023-06-01", avoid=["rail", "road"],
                                                            conditions=FREE).best
    after = Router(read_dataset(as_of="2024-06-01")).route("Shanghai", "Rotterdam", depart="2024-06-01", avoid=["rail", "road"],
                                                           conditions=FREE).best
    assert "sea_shanghai_rotterdam" in before.link_ids and "sea_shanghai_rotterdam_cape" in after.link_ids
    assert after.days_median > before.days_median + 7


def test_black_sea_feeder_p90_is_longer_in_january_than_july(caspian):
    """Poti → Constanța by feeder: Black Sea storms close the Georgian ports mostly in the cold season (closures.csv,
    A-season-blacksea, ~6× likelier in January than in July), so the P90 departing on a January Monday is longer."""
    jan = caspian.route("Poti", "Constanța", depart="2024-01-08", samples=4000, conditions=FREE, alternatives=1,
                        avoid=["rail", "road"]).best
    jul = caspian.route("Poti", "Constanța", depart="2024-07-08", samples=4000, conditions=FREE, alternatives=1,
                        avoid=["rail", "road"]).best
    assert "fd_poti_constanta" in jan.link_ids
    assert jan.link_ids == jul.link_ids
    assert jan.days_p90 > jul.days_p90 + 0.1
