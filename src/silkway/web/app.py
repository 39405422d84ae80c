"""``create_app``: the FastAPI application factory (API routers, error handlers, static UI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

import silkway
from silkway.errors import DataError, SilkwayError
from silkway.services.invest import InvestRunner
from silkway.web import api_capacity, api_invest, api_network, api_nowcast, api_routes, api_studies, catalogue, guard
from silkway.web.datasets import DatasetRegistry
from silkway.web.jobs import JobManager
from silkway.web.route_cache import RouteCache, RouteFastPath
from silkway.web.settings import WebSettings
from silkway.web.study_jobs import StudyRunner

STATIC_DIR = Path(str(resources.files("silkway") / "web" / "static"))


def create_app(settings: WebSettings | None = None, study_runner: StudyRunner | None = None) -> FastAPI:
    """A new app serving ``settings.datasets``; each call is independent (tests build many)."""
    settings = settings or WebSettings()
    jobs = JobManager(settings.max_running_jobs, settings.max_queued_jobs)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()  # cancel running studies: each stops after its current replication

    app = FastAPI(
        title="silkway",
        version=getattr(silkway, "__version__", "0"),
        description="Digital twin of the China–Europe land freight corridors through Kazakhstan: "
        "network, route planning and what-if studies.",
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN: nothing is fetched at run time
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.datasets = DatasetRegistry(settings.datasets)
    app.state.jobs = jobs
    app.state.scenarios = catalogue.find_scenarios(settings.scenario_dirs)
    app.state.study_runner = study_runner or StudyRunner()
    app.state.invest_runner = InvestRunner()  # tests swap it for one with workers=1
    app.state.route_cache = RouteCache(settings.route_cache_entries)
    _add_error_handlers(app)
    app.add_middleware(RouteFastPath, state=app.state)  # inside the guards (added next): limits and request ids first
    guard.add_guards(app, settings.max_body_bytes)
    app.include_router(api_network.router)
    app.include_router(api_routes.router)
    app.include_router(api_studies.router)
    app.include_router(api_capacity.router)
    app.include_router(api_invest.router)
    app.include_router(api_nowcast.router)

    @app.get("/api/health", tags=["meta"], summary="Liveness and the served datasets")
    def health() -> dict[str, object]:
        return {"status": "ok", "version": app.version, "datasets": list(settings.datasets),
                "default_dataset": settings.default_dataset}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _link_jobs(app)
    return app


def _link_jobs(app: FastAPI) -> None:
    """OpenAPI links from a submitted job to its status, results and cancel endpoints (clients and stateful
    property tests follow them)."""
    plain = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = plain()
            job_id = {"job_id": "$response.body#/job_id"}
            links = {f"{name}Job": {"operationId": op["operationId"], "parameters": job_id}
                     for name, (path, method) in {"Get": ("/api/jobs/{job_id}", "get"), "Cancel": ("/api/jobs/{job_id}", "delete"),
                                                  "Results": ("/api/jobs/{job_id}/results", "get")}.items()
                     if (op := schema["paths"].get(path, {}).get(method))}
            submit = schema["paths"].get("/api/jobs", {}).get("post", {}).get("responses", {}).get("202")
            if submit is not None:
                submit["links"] = links
        return app.openapi_schema or plain()

    app.openapi = openapi  # type: ignore[method-assign]


def _add_error_handlers(app: FastAPI) -> None:
    """A SilkwayError raised by a service is the user's input: answer 4xx with its message, never 500."""

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": {"message": exc.source + ": invalid",
                                                                 "problems": [str(p) for p in exc.problems]},
                                                      "error": type(exc).__name__})

    @app.exception_handler(SilkwayError)
    async def silkway_error(_: Request, exc: SilkwayError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc), "error": type(exc).__name__})
