"""silkway: a digital twin of the China–Europe land freight corridors through Kazakhstan.

Everything, the errors included, is imported on first use (PEP 562), so ``import silkway`` (and ``silkway --help``)
stays light: the network pulls in numpy, the simulation pandas and numba, which a validation or a route query never
needs.
``dir(silkway)`` lists them all.
"""

import importlib as _importlib

__version__ = "0.1.0"

_LAZY = {"route": "silkway.services.routing", "route_many": "silkway.services.routing", "simulate": "silkway.simulation",
         "study": "silkway.services.studies", "Network": "silkway.network", "compile_network": "silkway.network",
         "read_dataset": "silkway.network", "write_dataset": "silkway.network",
         **dict.fromkeys(("DataError", "RoutingError", "ScenarioError", "SilkwayError", "SimulationError"), "silkway.errors"),
         "plan_investments": "silkway.services.invest", "run_nowcast": "silkway.services.nowcast"}

__all__ = [
    "DataError", "Network", "RoutingError", "ScenarioError", "SilkwayError", "SimulationError", "__version__",
    "compile_network", "plan_investments", "read_dataset", "route", "route_many", "run_nowcast", "simulate", "study",
    "write_dataset",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'silkway' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
