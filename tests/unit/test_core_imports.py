"""The core (network, routing, simulation, scenarios, capacity, nowcast, invest, report) never imports the service layer:
services call the core, not the reverse (docs/design.md). Scans every import statement, including those inside
functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "silkway"
CORE = ("network", "routing", "simulation", "scenarios", "capacity", "nowcast", "invest", "report", "importers")


def _imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
    return out


@pytest.mark.parametrize("package", CORE)
def test_core_package_does_not_import_services(package: str) -> None:
    bad = [f"{f.relative_to(SRC)}:{line} imports {mod}" for f in sorted((SRC / package).rglob("*.py"))
           for line, mod in _imports(f) if mod == "silkway.services" or mod.startswith("silkway.services.")]
    assert not bad, bad
