"""Capacity simulation: demand → block trains → links, gauge breaks, borders, ports and ferries (issue 4)."""

from silkway.simulation.core import simulate
from silkway.simulation.demand import Demand, Flow, parse_demand, teu_per_week_from_trade_usd
from silkway.simulation.demand_io import dataset_demand, default_demand, read_demand
from silkway.simulation.options import SimOptions
from silkway.simulation.result import SimulationResult

__all__ = [
    "Demand", "Flow", "SimOptions", "SimulationResult", "dataset_demand", "default_demand", "parse_demand", "read_demand",
    "simulate", "teu_per_week_from_trade_usd",
]
