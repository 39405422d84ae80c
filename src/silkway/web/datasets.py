"""The datasets an app serves, loaded once on first use and kept per app (never module-global)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException

from silkway.errors import DataError
from silkway.network import Network
from silkway.routing import Router
from silkway.services import network as net_svc
from silkway.services import routing as routing_svc


@dataclass(frozen=True)
class Loaded:
    """A dataset as the web needs it: the network, its GeoJSON and its route planner (built once, used often)."""

    network: Network
    geojson: bytes  # the FeatureCollection, serialised once
    router: Router


class DatasetRegistry:
    """Name → loaded dataset. Thread-safe lazy loading; a broken dataset answers 503 with its problems."""

    def __init__(self, folders: Mapping[str, Path | None]):
        self._folders = dict(folders)
        self._loaded: dict[str, Loaded] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self._folders)

    def get(self, name: str) -> Loaded:
        """The loaded dataset ``name``; 404 for a name not served, 503 if its files are invalid."""
        if name not in self._folders:
            raise HTTPException(404, f"unknown dataset '{name}'; served: {', '.join(self._folders)}")
        with self._lock:
            if name not in self._loaded:
                try:
                    net = net_svc.load(self._folders[name])
                except DataError as exc:
                    problems = [str(p) for p in exc.problems[:20]]
                    raise HTTPException(503, {"message": f"dataset '{name}' is invalid", "problems": problems}) from exc
                geojson = json.dumps(net_svc.to_geojson(net), ensure_ascii=False).encode()
                self._loaded[name] = Loaded(net, geojson, routing_svc.router_for(net=net))
            return self._loaded[name]

    def network(self, name: str) -> Network:
        return self.get(name).network

    def router(self, name: str) -> Router:
        return self.get(name).router
