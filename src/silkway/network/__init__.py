"""The network: records, dataset I/O, validation and the compiled array form."""

from silkway.network.dataset import default_dataset_path, read_dataset, write_dataset
from silkway.network.graph import CompiledNetwork, compile_network
from silkway.network.model import Closure, CostRate, EmissionFactor, Facility, Link, Manifest, Network, Node, Param, Source

__all__ = [
    "Closure", "CompiledNetwork", "CostRate", "EmissionFactor", "Facility", "Link", "Manifest", "Network", "Node",
    "Param", "Source", "compile_network", "default_dataset_path", "read_dataset", "validate_network", "write_dataset",
]


def __getattr__(name: str) -> object:
    if name == "validate_network":
        from silkway.network.validate import validate_network

        return validate_network
    raise AttributeError(f"module 'silkway.network' has no attribute {name!r}")
