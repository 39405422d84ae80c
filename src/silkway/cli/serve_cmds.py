"""silkway serve: the web app (JSON API + map UI) on loopback by default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkway.cli._app import app, console, lit
from silkway.defaults import examples_dir
from silkway.errors import SilkwayError

KEEP_ALIVE_S = 30


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind (loopback by default; 0.0.0.0 exposes it to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    dataset: Annotated[list[Path] | None, typer.Option(help="Serve this dataset folder too (repeatable); named by its folder.")] = None,
    results: Annotated[Path, typer.Option(help="Study results store (the only folder the app writes).")] = Path("silkway-results"),
    scenarios: Annotated[list[Path] | None, typer.Option(help="Folder of scenario files offered to studies (repeatable; default: "
                                                           "the examples shipped with silkway).")] = None,
    max_jobs: Annotated[int, typer.Option(min=1, max=8, help="Studies run at the same time.")] = 1,
) -> None:
    """Serve the map UI and the JSON API (OpenAPI schema at /openapi.json)."""
    import uvicorn

    from silkway.web import WebSettings, create_app

    datasets: dict[str, Path | None] = {"eurasia": None}
    for folder in dataset or []:
        if not folder.is_dir():
            raise SilkwayError(f"--dataset {folder}: not a folder")
        datasets[folder.resolve().name] = folder.resolve()
    scenario_dirs = tuple(p.resolve() for p in (scenarios or [examples_dir()]))
    for folder in scenario_dirs:
        if not folder.is_dir():
            raise SilkwayError(f"--scenarios {folder}: not a folder")
    try:
        settings = WebSettings(datasets=datasets, results_dir=results.resolve(), scenario_dirs=scenario_dirs, max_running_jobs=max_jobs)
    except ValueError as exc:
        raise SilkwayError(str(exc)) from exc
    console.print(f"silkway web app on [bold]http://{lit(host)}:{port}/[/] (API schema: /openapi.json); "
                  f"datasets: {lit(', '.join(datasets))}; scenarios from: {lit(', '.join(map(str, scenario_dirs))) or 'none'}; "
                  f"results store: {lit(str(settings.results_dir))}. Ctrl+C stops it.", markup=True)
    # keep-alive 30 s (uvicorn's default is 5): under a CPU-bound burst the event loop can stall for seconds,
    # and a 5 s timer would close connections that already carry the client's next request
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", timeout_keep_alive=KEEP_ALIVE_S)
