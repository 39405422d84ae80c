"""Monthly station waits (typical route conditions): the months add up to the run's own station statistics."""

from __future__ import annotations

import numpy as np

from silkway.network import read_dataset
from silkway.simulation import simulate
from silkway.simulation.demand_io import dataset_demand
from silkway.simulation.waits import monthly_station_waits


def test_months_add_up_to_the_year(sim_tiny_dir):
    net = read_dataset(sim_tiny_dir)
    demand = dataset_demand(sim_tiny_dir, net)
    year = simulate(net, demand, days=365, seed=3)
    months = monthly_station_waits(net, demand, seed=3)
    st = year.stations
    assert list(st.kind) == list(months.kind) and list(st.node_id) == list(months.node)
    assert months.wait_h.sum() > 0  # the fixture queues somewhere: the sums compared are not all zero
    np.testing.assert_array_equal(months.trains.sum(axis=1), st.trains.to_numpy())
    np.testing.assert_allclose(months.wait_h.sum(axis=1), st.added_delay_train_h.to_numpy(), rtol=1e-12, atol=1e-9)
    assert (months.trains > 0).sum(axis=1).max() == 12  # trains in every month somewhere
