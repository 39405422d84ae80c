"""silkway conditions build | check: the typical waits the route planner adds under ``--conditions typical``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from silkway.cli._app import DATASET_HELP, LazyModule, app, console, console_err
from silkway.defaults import BUILD_COMMAND, DEFAULT_AS_OF, TYPICAL_FILE
from silkway.errors import SilkwayError

svc = LazyModule("silkway.services.conditions")

conditions_app = typer.Typer(help="Typical route conditions: expected waits from the baseline simulation.", no_args_is_help=True)
app.add_typer(conditions_app, name="conditions")


@conditions_app.command("build")
def build(
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    as_of: Annotated[list[str] | None, typer.Option("--as-of", help="Network date(s) to simulate, repeatable (default: "
                                                    f"{', '.join(DEFAULT_AS_OF)}, the calibrated 2023 baseline).")] = None,
    replications: Annotated[int, typer.Option("--replications", help="Simulated years per date (seeds seed, seed+1, ...).")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="First seed.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help=f"Where to write (default: {TYPICAL_FILE} in the dataset folder).")] = None,
) -> None:
    """Run the baseline simulation (the dataset's demand, closures included) and write the mean queue wait per train
    of every facility, border, link and quay, by month, with its provenance (dataset digest, version, seed, command)."""
    days = tuple(as_of or DEFAULT_AS_OF)
    target = out or (dataset or _default_dataset()) / TYPICAL_FILE
    from silkway.interrupts import run_interruptibly

    # the simulations in a worker thread: Ctrl-C is seen at once, even during the kernel's compile; nothing is written
    rows = run_interruptibly(lambda: svc.build_typical_waits(dataset, as_of=days, replications=replications, seed=seed,
                                                             progress=lambda m: console_err.print(f"[dim]{m}[/]", highlight=False,
                                                                                                  markup=True)))
    command = "silkway " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["conditions"] else BUILD_COMMAND
    path = svc.write_typical_waits(rows, target, dataset=dataset, as_of=days, replications=replications, seed=seed, command=command)
    console.print(f"wrote {path}: {len(rows)} rows ({len({r[1:4] for r in rows})} elements, as of {', '.join(days)})", highlight=False)


@conditions_app.command("check")
def check(dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None) -> None:
    """Say where the typical waits come from and whether the dataset changed since they were built (exit 1 if so)."""
    path = (dataset or _default_dataset()) / TYPICAL_FILE
    if not path.is_file():
        raise SilkwayError(f"no {path}: run '{BUILD_COMMAND}" + (f" --dataset {dataset}'" if dataset else "'"))
    head, by_day = svc.read_typical_waits(path)
    for k, v in head.items():
        console.print(f"{k}: {v}", highlight=False)
    console.print(f"as-of days: {', '.join(sorted(by_day))}; elements: {len({k for d in by_day.values() for k in d})}", highlight=False)
    stale = svc.stale_warning(head, dataset)
    for w in stale:
        console_err.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True, markup=True)
    if stale:
        raise typer.Exit(1)
    console.print("up to date with the dataset", highlight=False)


def _default_dataset() -> Path:
    return svc.default_dataset_path()
