"""The CLI entry point stays light: ``silkway --help``, ``validate``, ``network`` and ``route`` do not import the
simulation stack (pandas, numba, matplotlib, DuckDB); the commands that need it import it when they run."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

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


def _fresh(code: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)


def test_help_and_version_import_neither_typer_nor_a_command_module():
    """``silkway --help``/``-h`` print the overview from the table of commands and ``--version`` its line before typer
    is even imported (typer alone is ≈ 0.14 s of CPU, the start-up target 0.15 s); the text is typer's own
    (test_fast_overview_help_is_typers_help, test_version_and_short_help). Any other command goes through typer."""
    code = ("import sys; sys.argv[0] = 'silkway'\nfrom silkway.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('silkway.cli.', 'rich', 'numpy', 'pydantic', 'typer', "
            "'dataclasses')) and m not in ('silkway.cli._commands',)))")
    for flag in ("--help", "-h"):
        lines = _fresh(code, flag).stdout.strip().splitlines()
        assert ast.literal_eval(lines[-1]) == [] and lines[0].startswith("Usage: silkway [OPTIONS] COMMAND"), flag
    version = _fresh(code, "--version").stdout.strip().splitlines()
    assert version[-1] == "[]" and version[0] == f"silkway {__import__('silkway').__version__}"
    other = ast.literal_eval(_fresh(code, "--help", "-V").stdout.strip().splitlines()[-1])
    assert "typer" in other  # not the fast path: typer parses it


def test_fast_overview_help_is_typers_help():
    """The overview printed without typer is, line for line, what typer's plain help prints at any terminal width
    (both as processes: typer's test runner forces its own width)."""
    import os

    typer_help = "import sys\nfrom silkway.cli import app\napp(['--help'], prog_name='python -m silkway')"
    for columns in ("30", "64", "80", "200"):
        env = {**os.environ, "COLUMNS": columns}
        fast = subprocess.run([sys.executable, "-m", "silkway", "--help"], capture_output=True, text=True, env=env)
        slow = subprocess.run([sys.executable, "-c", typer_help], capture_output=True, text=True, env=env)
        assert fast.returncode == slow.returncode == 0 and fast.stdout == slow.stdout, columns
        assert "Usage: python -m silkway [OPTIONS] COMMAND" in fast.stdout and "nowcast" in fast.stdout


def test_the_table_of_commands_is_what_the_modules_register():
    """Every command a module registers is in ``COMMANDS`` under that module, with its own help's first paragraph."""
    import importlib

    import typer.main

    from silkway.cli._app import app
    from silkway.cli._commands import COMMANDS

    for module in {m for m, _ in COMMANDS.values()}:
        importlib.import_module(f"silkway.cli.{module}")
    real = typer.main.get_group(app).commands
    assert set(real) == set(COMMANDS)
    for name, (module, summary) in COMMANDS.items():
        cmd = real[name]
        callback = cmd.callback if cmd.callback is not None and not hasattr(cmd, "commands") else None
        owner = callback.__module__ if callback else next(iter(cmd.commands.values())).callback.__module__
        assert owner.endswith(f".{module}"), (name, owner)
        assert " ".join((cmd.help or "").split("\n\n")[0].split()) == summary, name


def test_lazy_overview_help_reads_as_the_loaded_one():
    """``silkway --help`` before any command module is imported prints what it prints with all of them loaded."""
    code = ("import importlib, sys\nfrom typer.testing import CliRunner\nfrom silkway.cli import app\n"
            "from silkway.cli._commands import COMMANDS\n"
            "if sys.argv[1] == 'all':\n    [importlib.import_module('silkway.cli.' + m) for m, _ in COMMANDS.values()]\n"
            "print(CliRunner().invoke(app, ['--help'], prog_name='silkway').output)")
    lazy, loaded = _fresh(code, "none").stdout, _fresh(code, "all").stdout
    assert lazy == loaded
    assert "route       Plan a shipment" in lazy and "scenario    Check and compare scenario files." in lazy


def test_a_mistyped_command_still_gets_suggestions():
    from typer.testing import CliRunner

    from silkway.cli import app

    res = CliRunner().invoke(app, ["rout", "Xian", "Duisburg"])
    assert res.exit_code == 2 and "No such command 'rout'. Did you mean 'route'" in res.output


@pytest.mark.parametrize("aot", ["as built", "0"])
def test_route_loads_its_kernels_without_scipy(aot: str):
    """`silkway route` loads the planner's cached kernels without numba's BLAS probe (scipy.linalg, ≈ 0.4 s of CPU) and
    still plans; numba's BLAS users still work in that process afterwards (scipy loads when np.dot compiles). With a
    fresh ahead-of-time build of the kernels (silkway.routing.aot) numba is not imported at all; SILKWAY_AOT=0 (or no
    build) loads the JIT's cached kernels."""
    code = ("import sys\nsys.argv = ['silkway', 'route', 'Xian', 'Duisburg']\nfrom silkway.cli import main\ntry:\n    main()\n"
            "except SystemExit:\n    pass\nfrom silkway.routing import aot\n"
            "print(aot.status.split(':')[0], 'numba' in sys.modules, 'scipy.linalg' in sys.modules, 'numba.np.arraymath' in sys.modules, sep='|')\n"
            "import numba, numpy as np\nprint(numba.njit(lambda a, b: np.dot(a, b))(np.ones(3), np.ones(3)))")
    env = {**os.environ, **({} if aot == "as built" else {"SILKWAY_AOT": aot})}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.strip().splitlines()
    assert "Xi'an → Duisburg" in "\n".join(out) and out[-1] == "3.0"
    status, numba, scipy, arraymath = out[-2].split('|')
    assert scipy == "False" and arraymath == numba
    assert numba == ("False" if status == "fresh" else "True")
    if aot == "0":
        assert status == "not used"


def test_the_blas_probe_skip_leaves_scipy_importable():
    code = ("import sys\nfrom silkway.cli._app import skip_numba_blas_probe\nskip_numba_blas_probe()\n"
            "import numba.np.arraymath as m\nimport scipy.linalg\nprint(m._HAVE_BLAS, sys.modules['scipy.linalg'] is not None)")
    assert _fresh(code).stdout.split() == ["False", "True"]


ROUTE_NEVER = ("pydantic", "pydantic_core", "typer._adapters", "pandas", "pyarrow", "duckdb", "matplotlib", "rich.progress",
               "rich.markdown", "rich.table", "silkway.simulation", "silkway.scenarios")  # rich.table: piped, the plain tables
ROUTE_NEVER_WITHOUT_NUMBA = ("importlib.metadata", "scipy")  # numba's JIT (no fresh ahead-of-time build) imports these


def test_route_imports_none_of_what_it_does_not_use():
    """`silkway route` (start-up, benchmarks/bench_cli.py): typer's parameters are coerced without pydantic (its import
    and the adapters ≈ 0.15 s of CPU; silkway.cli._coerce), the typical waits come from the dataset cache, its tables
    are printed without rich's table machinery when piped (silkway.cli._plain_table), and none of the simulation or
    plotting stack loads. Read from the process's own -X importtime list."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # piped: the 200-column page, where both tables fit
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "silkway", "route", "Xian", "Duisburg"], capture_output=True,
                         text=True, check=True, env=env)
    loaded = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time:")}
    assert {"numpy", "silkway.routing.planner", "silkway.cli._plain_table"} <= loaded  # it did plan and print a route
    never = set(ROUTE_NEVER) | (set() if "numba" in loaded else set(ROUTE_NEVER_WITHOUT_NUMBA))
    assert not loaded & never, sorted(loaded & never)
    assert "Legs of option 1" in res.stdout
