"""silkway: a digital twin of the China–Europe land freight corridors through Kazakhstan.

``route``/``route_many`` and ``simulate`` are imported on first use (PEP 562), so ``import silkway``
stays light: the simulation pulls in pandas and numba, which a validation or a route query never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from silkway.errors import DataError, RoutingError, ScenarioError, SilkwayError, SimulationError
from silkway.network import Network, compile_network, read_dataset, write_dataset

if TYPE_CHECKING:
    from silkway.routing import route, route_many
    from silkway.simulation import simulate

__version__ = "0.1.0"

__all__ = [
    "DataError", "Network", "RoutingError", "ScenarioError", "SilkwayError", "SimulationError", "__version__",
    "compile_network", "read_dataset", "route", "route_many", "simulate", "write_dataset",
]

_LAZY = {"route": "silkway.routing", "route_many": "silkway.routing", "simulate": "silkway.simulation"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'silkway' has no attribute {name!r}")
