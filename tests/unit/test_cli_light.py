"""The CLI entry point stays light: ``silkway --help``, ``validate``, ``network`` and ``route`` do not import the
simulation stack (pandas, numba, matplotlib, DuckDB); the commands that need it import it when they run."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "numba", "matplotlib", "duckdb")


def test_importing_the_cli_leaves_the_heavy_stack_unloaded():
    code = f"import sys, silkway.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"imported at start-up: {out}"


def test_help_imports_neither_numpy_nor_rich_renderers():
    """`silkway --help` needs typer and a console only: no numpy (network, routing), no rich table/progress/markdown help
    renderer (start-up target 0.15 s on a quiet machine, benchmarks/bench_cli.py)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-m", "silkway", "--help"], capture_output=True, text=True,
                         check=True).stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if line.startswith("import time:")}
    assert not loaded & {"numpy", "rich.table", "rich.progress", "rich.markdown", "typer.rich_utils", "silkway.network",
                         "silkway.routing", *HEAVY}


def test_version_and_short_help():
    from typer.testing import CliRunner

    from silkway import __version__
    from silkway.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).output.strip() == f"silkway {__version__}"
    out = runner.invoke(app, ["route", "-h"]).output
    assert "[time|p90|cost|co2e]" in out or "<time|p90|cost|co2e>" in out
    sim = runner.invoke(app, ["simulate", "-h"]).output
    assert "<fixed|adaptive>" in sim and "--days <int>" in sim  # choices listed, --days a whole number as in study


def test_lazy_service_module_resolves_on_use():
    from silkway.cli import study_cmds
    from silkway.services import studies

    assert study_cmds.svc.headline_kpis is studies.headline_kpis  # the real service, not a stand-in
    assert study_cmds.DEFAULT_STORE == studies.DEFAULT_STORE  # the CLI default is the store the service uses
