"""The interfaces (``silkway.cli``, ``silkway.web``) reach the domain only through ``silkway.services``.

An AST scan of every import in ``cli/`` and ``web/`` (module level, inside functions, and module names given to
``LazyModule``/``import_module`` as strings). Imports under ``if TYPE_CHECKING:`` are annotations only and are not
runtime dependencies, so they are not checked."""

from __future__ import annotations

import ast
from pathlib import Path

import silkway

SRC = Path(silkway.__file__).parent
INTERFACES = ("cli", "web")

# What an interface may import besides silkway.services (and its own package), and why:
ALLOWED = {
    "silkway": "the package itself, for __version__",
    "silkway.errors": "the error types interfaces catch and print",
    "silkway.vocabulary": "the typed vocabulary (enums) of options and choices",
    "silkway.defaults": "default file names and values shown in help texts",
    "silkway.limits": "input bounds interfaces check and show in help texts",
    "silkway.jsonsafe": "JSON encoding of results (no NaN/inf): an output format, not domain code",
    "silkway.atomic": "atomic file writes and output-folder checks an interface does before a long run",
    "silkway.safe_io": "bounded, located reads of user-given files",
    "silkway.interrupts": "process plumbing: Ctrl-C seen at once while a long run works in a thread",
    "silkway.progress": "process plumbing: the logger whose progress records the command line shows",
}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) of every import not under ``if TYPE_CHECKING``, plus module-name strings given to
    ``LazyModule`` or ``import_module``."""
    out: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "silkway":  # from silkway import x: x may be a submodule
                out.extend((node.lineno, f"silkway.{a.name}" if (SRC / a.name).exists() or (SRC / f"{a.name}.py").exists()
                            else "silkway") for a in node.names)
            else:
                out.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("LazyModule", "import_module")):
            out.append((node.lineno, node.args[0].value))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _violations() -> list[str]:
    bad = []
    for pkg in INTERFACES:
        for f in sorted((SRC / pkg).rglob("*.py")):
            for line, mod in _runtime_imports(ast.parse(f.read_text(encoding="utf-8"))):
                if not mod.startswith("silkway") or mod in ALLOWED:
                    continue
                if mod.startswith(("silkway.services", "silkway.cli", "silkway.web")):
                    continue
                bad.append(f"{f.relative_to(SRC)}:{line} imports {mod}")
    return bad


def test_interfaces_import_nothing_below_services() -> None:
    assert _violations() == []


def test_the_scan_sees_every_kind_of_import() -> None:
    """The scan itself: module level, function level, ``from silkway import submodule``, lazy module names; and not
    the TYPE_CHECKING block."""
    code = '''
from typing import TYPE_CHECKING
import silkway.routing.search
from silkway import network, __version__
if TYPE_CHECKING:
    from silkway.simulation import SimulationResult
def f():
    from silkway.simulation.engine import prepare
svc = LazyModule("silkway.scenarios.store")
'''
    got = {mod for _, mod in _runtime_imports(ast.parse(code))}
    assert got == {"typing", "silkway.routing.search", "silkway.network", "silkway", "silkway.simulation.engine",
                   "silkway.scenarios.store"}
