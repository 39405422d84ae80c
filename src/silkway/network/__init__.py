"""The network: records, dataset I/O, validation and the compiled array form."""

from silkway.network.dataset import default_dataset_path, read_dataset, write_dataset
from silkway.network.graph import CompiledNetwork, compile_network
from silkway.network.model import Closure, CostRate, EmissionFactor, Facility, Link, Manifest, Network, Node, Param, Source
from silkway.network.validate import validate_network

__all__ = [
    "Closure", "CompiledNetwork", "CostRate", "EmissionFactor", "Facility", "Link", "Manifest", "Network", "Node",
    "Param", "Source", "compile_network", "default_dataset_path", "read_dataset", "validate_network", "write_dataset",
]
