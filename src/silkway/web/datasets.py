"""The datasets an app serves, loaded once on first use and kept per app (never module-global)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import HTTPException

from silkway import jsonsafe
from silkway.errors import DataError
from silkway.services import network as net_svc
from silkway.services import routing as routing_svc

if TYPE_CHECKING:
    from silkway.network import Network
    from silkway.routing import Router


@dataclass(frozen=True)
class Loaded:
    """A dataset as the web needs it: the network, its GeoJSON and its route planner (built once, used often)."""

    network: Network
    geojson: bytes  # the FeatureCollection, serialised once
    router: Router


MAX_DATES_PER_DATASET = 8  # snapshots (network + planner) kept per dataset; the oldest used is dropped first


class DatasetRegistry:
    """Name → loaded dataset, as of a date. Thread-safe lazy loading; a broken dataset answers 503 with its problems.
    The dated tables are read once per dataset; a snapshot (with its planner) is built per date asked for and at
    most :data:`MAX_DATES_PER_DATASET` of them are kept."""

    def __init__(self, folders: Mapping[str, Path | None]):
        self._folders = dict(folders)
        self._dated: dict[str, Network] = {}
        self._loaded: OrderedDict[tuple[str, date | None], Loaded] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self._folders)

    def get(self, name: str, as_of: date | None = None) -> Loaded:
        """The dataset ``name`` as of a date (default: its reference date); 404 for a name not served, 503 if its
        files are invalid."""
        if name not in self._folders:
            raise HTTPException(404, f"unknown dataset '{name}'; served: {', '.join(self._folders)}")
        key = (name, as_of)
        with self._lock:
            if key not in self._loaded:
                if name not in self._dated:
                    try:
                        self._dated[name] = net_svc.load_dated(self._folders[name])
                    except DataError as exc:
                        problems = [str(p) for p in exc.problems[:20]]
                        raise HTTPException(503, {"message": f"dataset '{name}' is invalid", "problems": problems}) from exc
                net = self._dated[name].at(as_of)
                geojson = jsonsafe.dumps(net_svc.to_geojson(net, nested=True), ensure_ascii=False).encode()
                self._loaded[key] = Loaded(net, geojson, routing_svc.router_for(net=net))
                while sum(1 for k in self._loaded if k[0] == name) > MAX_DATES_PER_DATASET:
                    del self._loaded[next(k for k in self._loaded if k[0] == name)]
            self._loaded.move_to_end(key)
            return self._loaded[key]

    def version(self, name: str) -> str:
        """What identifies the loaded dataset ``name``: its manifest name and version and the load (a cache key part);
        404/503 as :meth:`get`."""
        if name not in self._dated:
            self.get(name)
        manifest = self._dated[name].manifest
        return f"{manifest.name} {manifest.version} {id(self._dated[name]):x}"

    def folder(self, name: str) -> Path | None:
        """The folder of a served dataset (None: the embedded one); 404 for a name not served."""
        if name not in self._folders:
            raise HTTPException(404, f"unknown dataset '{name}'; served: {', '.join(self._folders)}")
        return self._folders[name]

    def network(self, name: str, as_of: date | None = None) -> Network:
        return self.get(name, as_of).network

    def router(self, name: str, as_of: date | None = None) -> Router:
        """The planner of the network on ``as_of`` (default: the reference date); one per period without changes
        (:func:`silkway.routing.planner.router_at`), so routes on many departure dates share them."""
        if as_of is None:
            return self.get(name).router
        self.get(name)  # loads (or reports) the dataset
        return routing_svc.router_at(self._dated[name], as_of)
