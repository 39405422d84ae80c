"""The nowcast page's API: check an observation file (located errors), start a forecast as a background job (the
studies' job machinery: GET/DELETE /api/jobs/{job_id} follow and cancel it; the forecast is in the job's ``result``),
and the shipped example file. The logic is in services/nowcast_view.py; this module maps HTTP onto it.

A request carries the file's text (CSV or JSON lines, by its name); bodies above the server's limit are refused
with 413 before they are read. Results are kept per app by the hash of the file and the parameters: the same
request again is answered from the cache (``result.cached``)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from silkway import limits
from silkway.errors import DataError
from silkway.services import nowcast_view as svc
from silkway.web.api_network import DatasetName, registry
from silkway.web.deps import JobStatus, submit_job
from silkway.web.jobs import JobContext

router = APIRouter(prefix="/api", tags=["nowcast"])
CACHE_ENTRIES = 16  # finished forecasts kept per app (each a few hundred kB)
SHOWN_PROBLEMS = 200  # located errors returned at most (the count says how many there were)
FileName = Field("observations.csv", min_length=1, max_length=100, pattern=r"^[^/\\\x00-\x1f]+$",
                 description="the file's name: .jsonl/.ndjson/.json are read as JSON lines, anything else as CSV")


class ObservationFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    file: str = FileName
    text: str = Field(min_length=1, description="the file's content (docs/nowcast.md, 'Observations')")


class NowcastRequest(ObservationFile):
    at: str = Field(min_length=1, max_length=40, description="forecast time, ISO 8601 (no zone = UTC), e.g. 2023-02-15T00:00Z")
    horizon_days: float = Field(20.0, gt=limits.NOWCAST_HORIZON_DAYS.lo, le=limits.NOWCAST_HORIZON_DAYS.hi)
    members: int = Field(30, ge=int(limits.NOWCAST_MEMBERS.lo), le=int(limits.NOWCAST_MEMBERS.hi))
    seed: int = Field(0, ge=0, le=int(limits.SEED.hi))


class ResultCache:
    """The newest :data:`CACHE_ENTRIES` results by key; thread-safe."""

    def __init__(self, entries: int = CACHE_ENTRIES):
        self.entries = entries
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


def _cache(request: Request) -> ResultCache:
    state = request.app.state._state  # setdefault on the state's dict: one cache per app, created on first use
    return state.setdefault("nowcast_cache", ResultCache())


def located(exc: DataError) -> JSONResponse:
    """422 with every located problem (file, line, field, message) and the same as text (``detail``)."""
    problems = svc.problem_dicts(exc)
    shown = problems[:SHOWN_PROBLEMS]
    message = f"{exc.source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}"
    if len(problems) > len(shown):
        message += f" (the first {len(shown)} shown)"
    return JSONResponse(status_code=422, content={"detail": {"message": message, "problems": [p["text"] for p in shown]},
                                                  "problems": shown, "count": len(problems), "error": "DataError"})


@router.get("/nowcast/example", summary="The example observation file shipped with silkway (examples/observations.csv)")
def example() -> dict[str, str]:
    name, text = svc.example_observations()
    return {"file": name, "text": text}


@router.post("/datasets/{dataset}/nowcast/check", summary="Check an observation file: its rows, trains, time range and a "
             "forecast time to suggest, or 422 with located errors (file, line, field, what)")
def check(request: Request, dataset: DatasetName, body: ObservationFile) -> Any:
    folder = registry(request).folder(dataset)
    try:
        return svc.check_file(body.text, body.file, dataset=folder)
    except DataError as exc:
        return located(exc)


@router.post("/datasets/{dataset}/nowcast", response_model=JobStatus, status_code=202,
             summary="Start a nowcast (ETA bands per train, queue clearance per station) as a background job; "
                     "poll GET /api/jobs/{job_id}; 422 with located errors for a bad file")
def submit(request: Request, dataset: DatasetName, body: NowcastRequest) -> Any:
    folder = registry(request).folder(dataset)
    try:
        inp = svc.check_input(body.text, body.file, body.at, horizon_days=body.horizon_days, members=body.members, dataset=folder)
    except DataError as exc:
        return located(exc)
    params = {"dataset": dataset, "file": body.file, "at": svc.iso(inp.at), "horizon_days": body.horizon_days,
              "members": body.members, "seed": body.seed, "sha256": inp.digest}
    key = "nowcast:" + json.dumps(params, sort_keys=True) + registry(request).version(dataset)
    cache = _cache(request)

    def run(ctx: JobContext) -> dict[str, Any]:
        hit = cache.get(key)
        if hit is None:
            hit = svc.nowcast_view(inp, horizon_days=body.horizon_days, members=body.members, seed=body.seed, progress=ctx.progress)
            cache.put(key, hit)
            return {**hit, "cached": False}
        ctx.progress(1, 1, "answered from the cache")
        return {**hit, "cached": True}

    return submit_job(request, "nowcast", params, run, key)
