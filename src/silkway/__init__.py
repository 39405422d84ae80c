"""silkway: a digital twin of the China–Europe land freight corridors through Kazakhstan."""

from silkway.errors import DataError, RoutingError, ScenarioError, SilkwayError, SimulationError
from silkway.network import Network, compile_network, read_dataset, write_dataset
from silkway.routing import route, route_many
from silkway.simulation import simulate

__version__ = "0.1.0"

__all__ = [
    "DataError", "Network", "RoutingError", "ScenarioError", "SilkwayError", "SimulationError", "__version__",
    "compile_network", "read_dataset", "route", "route_many", "simulate", "write_dataset",
]
