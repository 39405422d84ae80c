"""Datasets, their network as GeoJSON, summaries and tolerant place search."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel

from silkway.services import network as net_svc
from silkway.web.datasets import DatasetRegistry
from silkway.web.settings import NAME_PATTERN

router = APIRouter(prefix="/api", tags=["network"])
DatasetName = Annotated[str, Path(pattern=NAME_PATTERN, description="A dataset name from GET /api/datasets.")]
AsOf = Annotated[date | None, Query(description="The network as of this date (YYYY-MM-DD); default: the dataset's reference date.")]


class DatasetInfo(BaseModel):
    name: str
    valid: bool
    title: str | None = None
    version: str | None = None
    description: str | None = None
    n_nodes: int | None = None
    n_links: int | None = None
    n_facilities: int | None = None
    problem: str | None = None


class Place(BaseModel):
    node_id: str
    name: str
    country: str
    node_kind: str
    lat: float
    lon: float
    aliases: list[str]


def registry(request: Request) -> DatasetRegistry:
    return request.app.state.datasets


@router.get("/datasets", response_model=list[DatasetInfo], summary="Datasets served by this app")
def list_datasets(request: Request) -> list[DatasetInfo]:
    out = []
    for name in registry(request).names:
        try:
            net = registry(request).network(name)
        except HTTPException as exc:
            out.append(DatasetInfo(name=name, valid=False, problem=str(exc.detail)))
            continue
        m = net.manifest
        out.append(DatasetInfo(name=name, valid=True, title=m.name, version=m.version, description=m.description,
                               n_nodes=len(net.nodes), n_links=len(net.links), n_facilities=len(net.facilities)))
    return out


@router.get("/datasets/{dataset}/network", summary="The network as a GeoJSON FeatureCollection",
            response_class=Response, responses={200: {"content": {"application/geo+json": {}}}})
def network_geojson(request: Request, dataset: DatasetName, as_of: AsOf = None) -> Response:
    return Response(registry(request).get(dataset, as_of).geojson, media_type="application/geo+json")


@router.get("/datasets/{dataset}/summary", summary="Nodes and links by mode and country, gauge breaks, facilities")
def network_summary(request: Request, dataset: DatasetName, as_of: AsOf = None) -> dict[str, Any]:
    return dataclasses.asdict(net_svc.summarize(registry(request).network(dataset, as_of)))


@router.get("/datasets/{dataset}/places", response_model=list[Place], summary="Tolerant place search")
def places(
    request: Request,
    dataset: DatasetName,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Part of a name, id or alias; case and accents ignored.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    as_of: AsOf = None,
) -> list[Place]:
    nodes = net_svc.find_places(registry(request).network(dataset, as_of), q, limit=limit)
    return [Place(node_id=n.node_id, name=n.name, country=n.country, node_kind=n.node_kind, lat=n.lat, lon=n.lon,
                  aliases=list(n.aliases)) for n in nodes]


@router.get("/datasets/{dataset}/capacity", summary="How much each corridor can carry: maximum flow / minimum cut per corridor "
            "and direction, and every border crossing, gauge yard and Caspian crossing (silkway capacity)")
def network_capacity(request: Request, dataset: DatasetName, as_of: AsOf = None) -> dict[str, Any]:
    from silkway.services import capacity as cap_svc  # loads the simulation's planner: only when asked

    net = registry(request).network(dataset, as_of)
    return cap_svc.report_dict(cap_svc.capacity_of(net, registry(request).folder(dataset)))
