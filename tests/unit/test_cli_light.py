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


def test_lazy_service_module_resolves_on_use():
    from silkway.cli import study_cmds
    from silkway.services import studies

    assert study_cmds.svc.headline_kpis is studies.headline_kpis  # the real service, not a stand-in
    assert study_cmds.DEFAULT_STORE == studies.DEFAULT_STORE  # the CLI default is the store the service uses
