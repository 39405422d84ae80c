"""silkway: a digital twin of the China–Europe land freight corridors through Kazakhstan.

``route``/``route_many``, ``simulate`` and ``study`` are imported on first use (PEP 562), so ``import silkway``
stays light: the simulation pulls in pandas and numba, which a validation or a route query never needs.
``dir(silkway)`` lists them all.
"""

import importlib as _importlib

from silkway.errors import DataError, RoutingError, ScenarioError, SilkwayError, SimulationError
from silkway.network import Network, compile_network, read_dataset, write_dataset

__version__ = "0.1.0"

_LAZY = {"route": "silkway.routing", "route_many": "silkway.routing", "simulate": "silkway.simulation",
         "study": "silkway.services.studies"}

__all__ = [
    "DataError", "Network", "RoutingError", "ScenarioError", "SilkwayError", "SimulationError", "__version__",
    "compile_network", "read_dataset", "route", "route_many", "simulate", "study", "write_dataset",
]


def __getattr__(name: str):  # noqa: ANN202 - a function or class of silkway
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'silkway' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
