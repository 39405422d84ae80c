"""The max-flow / min-cut kernel on station graphs drawn by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from silkway.capacity.maxflow import max_flow


def test_a_chain_carries_its_smallest_station_and_names_it():
    cut = max_flow(np.array([20.0, 10.0, 15.0]), [[0, 1, 2]])
    assert cut.trains_day == pytest.approx(10.0) and cut.binding == (1,)


def test_two_branches_into_one_station():
    """Branches of 5 and 7 trains/day merge into a station of 10: the merge binds; widen it to 20 and the branches do."""
    assert max_flow(np.array([5.0, 7.0, 10.0]), [[0, 2], [1, 2]]) .trains_day == pytest.approx(10.0)
    assert max_flow(np.array([5.0, 7.0, 10.0]), [[0, 2], [1, 2]]).binding == (2,)
    wide = max_flow(np.array([5.0, 7.0, 20.0]), [[0, 2], [1, 2]])
    assert wide.trains_day == pytest.approx(12.0) and wide.binding == (0, 1)


def test_two_equal_bottlenecks_are_both_named():
    """Stations 0 and 2 both pass 4 trains/day: two minimum cuts, both reported."""
    cut = max_flow(np.array([4.0, 9.0, 4.0]), [[0, 1, 2]])
    assert cut.trains_day == pytest.approx(4.0) and cut.binding == (0, 2)


def test_fractional_capacities_survive_the_integer_scaling():
    assert max_flow(np.array([1.0 / 7.0, 3.0]), [[0, 1]]).trains_day == pytest.approx(1.0 / 7.0, abs=1e-3)


def test_no_capacity_anywhere_is_unlimited_and_no_route_is_zero():
    assert max_flow(np.array([math.inf, math.inf]), [[0, 1]]).trains_day is None
    assert max_flow(np.array([3.0]), []).trains_day == 0.0
