"""Route queries: Pareto options over (days, cost, CO2e) with their legs, for one dataset."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silkway.limits import MAX_TRANSFERS, ROUTE_TEU
from silkway.services import routing as routing_svc
from silkway.vocabulary import Objective
from silkway.web.settings import NAME_PATTERN

router = APIRouter(prefix="/api", tags=["routes"])
PlaceName = Annotated[str, Field(min_length=1, max_length=100)]


class RouteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    dataset: Annotated[str, Field(pattern=NAME_PATTERN)] | None = Field(None, description="default: the app's first dataset")
    origin: PlaceName = Field(description="tolerant place name, id or alias, e.g. \"Xi'an\", 'xian'")
    destination: PlaceName
    teu: float = Field(1.0, gt=0, le=ROUTE_TEU.hi)
    depart: str | None = Field(None, max_length=32, description="YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: a Monday 00:00)")
    avoid: list[PlaceName] = Field(default_factory=list, max_length=20, description="country codes (RU), places or modes (ferry)")
    via: list[PlaceName] = Field(default_factory=list, max_length=5)
    max_transfers: int | None = Field(None, ge=0, le=MAX_TRANSFERS.hi)
    objective: Objective = Field(Objective.TIME, description="rank by time (the median), p90, cost or co2e, as displayed")
    alternatives: int = Field(3, ge=1, le=6)
    as_of: date | None = Field(None, description="the network as of this date (default: the departure day, else the dataset's "
                                                 "reference date)")
    conditions: Literal["typical", "free"] = Field("typical", description="typical: the expected waits of the baseline simulation "
                                                   "shipped with the dataset; free: no queues (the express time)")


class LegOut(BaseModel):
    """One step of the door-to-door chain: ``move`` on a link, ``wait``, ``handling`` or ``customs``."""

    kind: Literal["move", "wait", "handling", "customs", "queue"]
    from_node: str
    to_node: str
    hours: float
    start_h: float = Field(description="hours after departure")
    cost_usd: float
    co2e_kg: float
    link_id: str | None
    facility_id: str | None
    mode: str | None
    platform: str | None
    distance_km: float
    country: str | None
    corridor: list[str]


class ViaOut(BaseModel):
    """A key point of a route: a border crossing on land, a gauge change or a water leg."""

    kind: Literal["border", "gauge", "water"]
    from_node: str
    to_node: str
    label: str


class OptionOut(BaseModel):
    corridor: str = Field(description="a corridor tag of the links (links.csv), the one most of its crossings carry")
    via: list[ViaOut]
    via_summary: str = Field(description="the via labels joined with '; '")
    node_ids: list[str]
    legs: list[LegOut]
    days_nominal: float = Field(description="the legs' total: every step at its median, waits as they fall")
    gap_variability_days: float = Field(description="median of the summed sampled steps (waits left out) minus the sum of their medians")
    gap_timetable_days: float = Field(description="the rest of days_median - days_nominal: waits recomputed for each sampled arrival")
    expected_wait_days: float = Field(description="the expected congestion waits among the legs (kind queue; 0 under free conditions)")
    days_median: float
    days_p90: float
    cost_usd: float
    co2e_kg: float
    transfers: int
    distance_km: float
    pareto: bool = Field(description="dominated by no other candidate on the displayed days median (0.1), P90 (0.1), cost (1) and CO2e (1)")
    hours_by_kind: dict[str, float]


class RouteOut(BaseModel):
    """Documentation of the answer (it is written directly, not validated on the way out)."""

    dataset: str
    origin: str
    destination: str
    teu: float
    objective: str
    depart: str | None
    network_as_of: str | None = Field(description="the day whose network was used (as_of, else the departure day, else the reference date)")
    constraints: dict[str, object]
    method: str
    conditions: dict[str, object] = Field(description="kind (typical|free), label (where the waits come from), warnings, elements")
    options: list[OptionOut] = Field(description="corridor-diverse best options, best first by the objective")
    pareto: list[OptionOut] = Field(description="every candidate marked Pareto, fastest (median) first")


@router.post("/routes", summary="Plan a shipment: corridor options and the Pareto set with leg breakdowns",
             response_class=Response, responses={200: {"model": RouteOut, "content": {"application/json": {}}}})
async def plan_route(request: Request, body: RouteRequest) -> Response:
    app = request.app
    name = body.dataset or app.state.settings.default_dataset
    key = (name, app.state.datasets.version(name), body.model_dump_json())  # the full request, defaults included
    content = app.state.route_cache.get(key)
    if content is None:
        # Planning is CPU-bound Python: a few threads (not the default pool of 40) keep the event loop
        # responsive under many concurrent requests instead of making all threads fight for the GIL.
        content = await anyio.to_thread.run_sync(partial(_plan, app, body), limiter=_limiter(app))
        app.state.route_cache.put(key, content)
    raw = request.scope.get("state", {}).get("route_raw_key")
    if raw is not None:  # the exact request bytes validated to this key: RouteFastPath answers them next time
        app.state.route_cache.remember(raw, name, key[2])
    return Response(content, media_type="application/json")


def _plan(app: FastAPI, body: RouteRequest) -> bytes:
    name = body.dataset or app.state.settings.default_dataset
    day = routing_svc.route_day(body.as_of, body.depart)  # a bad date is a SilkwayError: the app answers 4xx with its message
    planner = app.state.datasets.router(name, day)
    result = routing_svc.plan_route(body.origin, body.destination, dataset=app.state.datasets.folder(name), router=planner,
                                    conditions=body.conditions, as_of=body.as_of, teu=body.teu, depart=body.depart,
                                    avoid=body.avoid, via=body.via, max_transfers=body.max_transfers,
                                    objective=body.objective, alternatives=body.alternatives)
    # json.dumps directly: FastAPI's generic encoder is ~14x slower on this payload (inputs are finite: no NaN to write)
    return json.dumps({"dataset": name, "network_as_of": routing_svc.network_day(planner, as_of=body.as_of, depart=body.depart),
                       **routing_svc.to_dict(result)}, allow_nan=False).encode()


def _limiter(app: FastAPI) -> anyio.CapacityLimiter:
    if getattr(app.state, "route_limiter", None) is None:  # created in the event loop, on first use
        app.state.route_limiter = anyio.CapacityLimiter(app.state.settings.route_threads)
    return app.state.route_limiter
