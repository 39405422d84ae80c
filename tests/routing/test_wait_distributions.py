"""Typical waits as distributions and the origin wait for the train to leave (issue 12).

* ``weighted_quantiles`` and ``sample_quantiles`` against hand-computed values;
* on ``routing_tiny_fixed`` (every P90 = its median: the draws are the nominal chain except for the ferry's small
  storm risk, p ≈ 1.6 %: a cancelled sailing puts a draw a week late, in the top 1.6 %): an origin wait is a ``queue`` leg before the first
  step, absorbed by the missed weekly ferry; a wait distribution after the ferry moves the median and P90 by its
  own quantiles while the leg shows its mean;
* the shipped origin waits against the depart-when-full formula: with Poisson container arrivals at rate λ and n
  containers a train, a container waits (n − 1) / (2λ) on average for its train to fill (less when the weekly
  scheduled slot sends a train before it is full).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from silkway.network import read_dataset
from silkway.network.dataset import default_dataset_path
from silkway.routing import Router
from silkway.routing.conditions import QUANTILE_LEVELS, Conditions, ConditionsKind, ElementKind
from silkway.routing.timeline import sample_quantiles
from silkway.services.conditions import TYPICAL_FILE, read_typical_waits
from silkway.simulation.waits import weighted_quantiles

FIXED = Path(__file__).parents[1] / "fixtures" / "routing_tiny_fixed"
Q = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 30.0, 40.0)  # a right-skewed wait at QUANTILE_LEVELS, hours


@pytest.fixture(scope="module")
def fixed():
    return Router(read_dataset(FIXED))


def test_weighted_quantiles_by_hand():
    v, w = np.array([4.0, 1.0, 3.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0])
    # sorted 1, 2, 3, 4 at the middles of their weights: 0.125, 0.375, 0.625, 0.875
    q = weighted_quantiles(v, w, np.array([0.0, 0.125, 0.5, 0.75, 1.0]))
    assert q == pytest.approx([1.0, 1.0, 2.5, 3.5, 4.0])
    # weight 3 on the value 1: positions 0.3, 0.7, 0.9 (of 5): the median is 1 + (0.5 − 0.3)/(0.7 − 0.3) · (3 − 1) = 2
    q = weighted_quantiles(np.array([1.0, 3.0, 5.0, 7.0]), np.array([3.0, 1.0, 1.0, 0.0]), np.array([0.5, 1.0]))
    assert q == pytest.approx([2.0, 5.0])


def test_sample_quantiles_inverts_the_piecewise_linear_distribution():
    u = (np.arange(200_000) + 0.5) / 200_000  # a fine uniform grid
    draws = sample_quantiles(np.asarray([Q]), u[None, :])[0]
    lv = np.asarray(QUANTILE_LEVELS)
    assert np.interp(lv, u, draws) == pytest.approx(Q, abs=5e-3)  # the grid ends half a step inside [0, 1]
    mean = sum((b - a) * (x + y) / 2 for a, b, x, y in zip(lv, lv[1:], Q, Q[1:], strict=False))  # trapezoids
    assert draws.mean() == pytest.approx(mean, rel=1e-6)
    const = sample_quantiles(np.full((1, len(lv)), 3.0), u[None, :1000])
    assert np.all(const == 3.0)


def _cond(waits, dists=None) -> Conditions:
    return Conditions(ConditionsKind.FILE, {k: (w,) * 13 for k, w in waits.items()}, "test",
                      dists={k: (q,) * 13 for k, q in (dists or {}).items()})


def test_origin_wait_is_a_queue_leg_before_loading(fixed):
    generic = (ElementKind.ORIGIN, "*", "west")
    own = (ElementKind.ORIGIN, "isle", "west")
    best = fixed.route("West Terminal", "Isle Port", conditions=_cond({generic: 30.0})).best
    first = best.legs[0]
    assert (first.kind, first.hours, first.facility_id, first.link_id, first.start_h) == ("queue", 30.0, None, None, 0.0)
    assert best.legs[1].start_h == 30.0  # the first step (West has no loading facility: the first move) starts after it
    assert best.days_nominal * 24 == pytest.approx(207.0, abs=1e-9)  # ready for the 192 h ferry at 55.4 h: absorbed
    # the flow's own (origin, destination) waits win over the origin's pooled ones
    best = fixed.route("West Terminal", "Isle Port", conditions=_cond({generic: 30.0, own: 12.0})).best
    assert best.legs[0].hours == 12.0


def test_no_origin_wait_when_the_route_leaves_by_a_scheduled_vessel(fixed):
    best = fixed.route("Harbour", "Isle Port", conditions=_cond({(ElementKind.ORIGIN, "*", "harbour"): 30.0})).best
    assert not any(leg.kind == "queue" for leg in best.legs)


def test_a_wait_distribution_moves_median_and_p90_by_its_quantiles(fixed):
    key = (ElementKind.HANDLING, "port_isle", "isle")  # the unloading at Isle, after the ferry: adds to the total
    mean = 9.0
    best = fixed.route("West Terminal", "Isle Port", samples=4000, conditions=_cond({key: mean}, {key: Q})).best
    queue = [leg for leg in best.legs if leg.kind == "queue"]
    assert [q.hours for q in queue] == [mean]  # the leg shows the mean
    assert best.days_nominal * 24 == pytest.approx(207.0 + mean)
    # the draws whose ferry a storm cancels (p = 1 − exp(−3/365 × 2)) are a week late, the top p of the sum: the
    # median and P90 of the total are the wait's quantiles at 0.5/(1 − p) and 0.9/(1 − p), linear between its knots
    p = 1 - math.exp(-3 / 365 * 2)
    lv = np.asarray(QUANTILE_LEVELS)
    assert best.days_median * 24 == pytest.approx(207.0 + np.interp(0.5 / (1 - p), lv, Q), abs=0.3)
    assert best.days_p90 * 24 == pytest.approx(207.0 + np.interp(0.9 / (1 - p), lv, Q), abs=0.6)
    as_mean = fixed.route("West Terminal", "Isle Port", samples=4000, conditions=_cond({key: mean})).best
    assert as_mean.days_median * 24 == pytest.approx(207.0 + mean, abs=1e-6) and as_mean.days_p90 == as_mean.days_median


def test_shipped_origin_waits_follow_the_fill_formula():
    folder = default_dataset_path()
    _, by_day = read_typical_waits(folder / TYPICAL_FILE)
    waits = by_day["2023-06-30"]
    n = 100.0 / 2.0  # train_teu / container_teu (simulation defaults: the dataset's train_teu, 2-TEU containers)
    checked = 0
    with open(folder / "demand.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lam = float(row["teu_per_week"]) / 2.0 / 168.0  # containers per hour
            if float(row["season_amplitude"]) != 0 or n / lam > 48.0:
                continue  # fill intervals near the weekly scheduled slot are cut short by it
            mean = waits[(ElementKind.ORIGIN, row["destination"], row["origin"])][0][0]
            assert 0.9 * (n - 1) / (2 * lam) <= mean <= 1.01 * (n - 1) / (2 * lam), row["flow_id"]
            checked += 1
    assert checked >= 10


def test_draws_do_not_depend_on_earlier_queries():
    """The uniform streams grow with the longest path a router has seen; row k must stay the same numbers."""
    net = read_dataset()
    fresh = Router(net).route("Xi'an", "Małaszewicze", depart="2024-01-15")
    used = Router(net)
    used.route("Shanghai", "Rotterdam", depart="2024-01-15", alternatives=5)  # long paths first: more rows
    again = used.route("Xi'an", "Małaszewicze", depart="2024-01-15")
    assert [(o.days_median, o.days_p90) for o in again.options] == [(o.days_median, o.days_p90) for o in fresh.options]
