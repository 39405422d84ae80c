"""Reading demand files (the only file I/O of the simulation package)."""

from __future__ import annotations

import os
from pathlib import Path

from silkway.errors import DataError, Problem
from silkway.network.dataset import default_dataset_path
from silkway.network.model import Network
from silkway.safe_io import UnsafeFile, read_text
from silkway.simulation.demand import Demand, parse_demand

DEMAND_FILE = "demand.csv"


def read_demand(path: str | os.PathLike[str], net: Network, within: str | os.PathLike[str] | None = None) -> Demand:
    """Read a demand CSV (see docs/simulation.md) and check its places against ``net``. A folder's ``demand.csv``
    must stay inside the folder; ``within`` holds any other file to its folder (:mod:`silkway.safe_io`)."""
    p = Path(path)
    if p.is_dir():
        p, within = p / DEMAND_FILE, p
    try:
        text = read_text(p, "demand", within)
    except UnsafeFile as exc:
        raise DataError([Problem(str(p), None, None, "demand file not found" if exc.missing else exc.reason)], str(p)) from None
    return parse_demand(text, net, file=str(p))


def default_demand(net: Network) -> Demand:
    """The 2023 demand of the embedded dataset (``data/eurasia/demand.csv``)."""
    return read_demand(default_dataset_path() / DEMAND_FILE, net)


def dataset_demand(dataset: str | os.PathLike[str] | None, net: Network) -> Demand:
    """The dataset folder's own ``demand.csv`` when it has one, else the embedded default."""
    if dataset is not None and (Path(dataset) / DEMAND_FILE).exists():
        return read_demand(Path(dataset) / DEMAND_FILE, net, within=dataset)
    return default_demand(net)
