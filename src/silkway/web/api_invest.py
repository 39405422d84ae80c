"""Investment plans: stored runs (result, frontier chart, map of the chosen upgrades) and new runs as background jobs
(the studies' job machinery: GET/DELETE /api/jobs/{job_id} follow and cancel them). The logic is in
services/invest.py; this module only maps HTTP onto it."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silkway.services import invest as svc
from silkway.vocabulary import InvestObjective as Objective
from silkway.web.deps import JobStatus, submit_job
from silkway.web.settings import NAME_PATTERN

router = APIRouter(prefix="/api/invest", tags=["invest"])
RunId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
ResultName = Annotated[str, Path(pattern=r"^result-[a-z_]{2,20}-[0-9]{1,16}$")]


class InvestJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenario: Annotated[str, Field(pattern=NAME_PATTERN)] = Field(description="a demand scenario of GET /api/scenarios")
    budget_usd: float = Field(gt=0, le=1e12)
    objective: Objective = Objective.DELIVERED
    days: int = Field(30, ge=1, le=730)
    replications: int = Field(3, ge=2, le=50)
    trials: int = Field(16, ge=1, le=200)
    max_reps: int = Field(40, ge=2, le=200)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    delta: float | None = Field(None, gt=0, description="KN's indifference zone (default: docs/invest.md)")
    projects: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(default_factory=list, max_length=50,
                                                                         description="only these project ids (default: all)")


def _root(request: Request) -> Any:
    return svc.invest_store_of(request.app.state.settings.results_dir)


@router.get("/runs", summary="Stored investment plans, newest first")
def list_runs(request: Request) -> list[dict[str, Any]]:
    return svc.stored_runs(_root(request))


def _get(request: Request, run_id: str, result: str) -> tuple[Any, dict[str, Any]]:
    got = svc.stored_result(_root(request), run_id, result)
    if got is None:
        raise HTTPException(404, f"no stored invest result '{run_id}/{result}' (GET /api/invest/runs lists them)")
    return got


@router.get("/runs/{run_id}/{result}", summary="A stored plan: selected portfolio, frontier and build order with 95% CIs")
def stored(request: Request, run_id: RunId, result: ResultName) -> dict[str, Any]:
    r, _ = _get(request, run_id, result)
    return {**r.to_dict(), "build_order_named": [{"project_id": p, "name": r.names.get(p, p)} for p in r.build_order]}


@router.get("/runs/{run_id}/{result}/frontier.png", response_class=Response, summary="The frontier chart (PNG)")
def frontier_png(request: Request, run_id: RunId, result: ResultName) -> Response:
    r, _ = _get(request, run_id, result)
    return Response(svc.frontier_png(r), media_type="image/png")


@router.get("/runs/{run_id}/{result}/map.png", response_class=Response, summary="Map of the chosen upgrades (PNG)")
def map_png(request: Request, run_id: RunId, result: ResultName) -> Response:
    r, geometry = _get(request, run_id, result)
    return Response(svc.map_png(r, geometry, svc.background_network(r)), media_type="image/png")


@router.post("/jobs", response_model=JobStatus, status_code=202, summary="Start an investment plan as a background job")
def submit(request: Request, body: InvestJobRequest) -> JobStatus:
    known = request.app.state.scenarios
    if body.scenario not in known:
        raise HTTPException(422, f"scenario: unknown {body.scenario} (GET /api/scenarios lists them: {', '.join(known) or 'none'})")
    s = request.app.state.settings
    if body.days > s.max_days:
        raise HTTPException(422, f"days: at most {s.max_days} on this server (got {body.days})")
    runner = request.app.state.invest_runner
    params = body.model_dump(mode="json")
    req = dict(params, scenario=known[body.scenario], projects=tuple(body.projects), objective=body.objective)
    return submit_job(request, "invest", params, lambda ctx: runner(ctx, req, _root(request)), json.dumps(["invest", params]))
