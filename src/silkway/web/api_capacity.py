"""The saturation curve as a background job: demand × each multiplier, simulated ``replications`` times.

A curve is several simulations (each a second or more), too slow for one request: ``POST`` submits it to the app's
job queue (the same queue, limits and cancellation as studies) and ``GET /api/jobs/{job_id}`` reports its progress
and, once done, the curve (``result``). The analytic capacity stays a plain request (GET …/capacity).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from silkway.web.api_network import DatasetName, registry
from silkway.web.deps import JobStatus, app_settings, submit_job
from silkway.web.jobs import JobContext

router = APIRouter(prefix="/api", tags=["capacity"])
Multiplier = Annotated[float, Field(gt=0, le=5)]


class CurveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    multipliers: list[Multiplier] = Field([0.5, 1.0, 1.5, 2.0, 3.0], min_length=2, max_length=8,
                                          description="demand multipliers (× the dataset's demand), each at most once")
    replications: int = Field(3, ge=2, le=20, description="runs per multiplier (2 or more: the CI needs them)")
    days: int = Field(120, ge=10, le=730, description="simulated days per run (after the warm-up)")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    as_of: date | None = Field(None, description="the network as of this date (default: the dataset's reference date)")


@router.post("/datasets/{dataset}/capacity/curve", response_model=JobStatus, status_code=202,
             summary="Submit a saturation curve (silkway capacity --curve) as a background job; poll GET /api/jobs/{job_id}")
def submit_curve(request: Request, dataset: DatasetName, body: CurveRequest) -> JobStatus:
    from silkway.services import capacity as cap_svc  # loads the simulation: only when asked

    s = app_settings(request)
    problems = []
    if len(set(body.multipliers)) != len(body.multipliers):
        problems.append("multipliers: each multiplier at most once")
    if body.days > s.max_days:
        problems.append(f"days: at most {s.max_days} on this server (got {body.days})")
    if body.replications > s.max_replications:
        problems.append(f"replications: at most {s.max_replications} on this server (got {body.replications})")
    if problems:
        raise HTTPException(422, "; ".join(problems))
    net = registry(request).network(dataset, body.as_of)
    folder = registry(request).folder(dataset)
    report = cap_svc.capacity_of(net, folder)  # a dataset without demand is a clear 4xx now, not a failed job later
    label = f"{net.manifest.name} {net.manifest.version} as of {net.as_of}"
    got = cap_svc.dataset_inputs(net, folder, label)
    multipliers = tuple(sorted(body.multipliers))

    def run(ctx: JobContext) -> dict:
        def progress(done: int, total: int, m: float, r: int) -> None:
            ctx.progress(done, total, f"{done}/{total} runs (demand × {m:g}, replication {r + 1})")

        curve = cap_svc.saturation_curve(got, multipliers, replications=body.replications, days=body.days, seed=body.seed,
                                         progress=progress)
        return cap_svc.curve_dict(cap_svc.with_capacity(curve, report), label)

    params = {"dataset": dataset, **body.model_dump(mode="json")}
    key = "curve:" + json.dumps(params, sort_keys=True)
    return submit_job(request, "capacity-curve", params, run, key)
