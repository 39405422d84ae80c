"""The route planner's kernels ahead of time (silkway.routing.aot and .jit, silkway.aot_build; issue 16 start-up).

A fresh build is used and answers exactly as numba's JIT; a stale, missing or failed one, or a call with other argument
types, runs the JIT without an error. The tests that need the build of this checkout (``make`` builds it; ``python -m
silkway.aot_build``) skip without it, except in CI (``CI`` set), where ``make test`` has built it: there they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from silkway import aot_build
from silkway.routing import aot, jit, kernels, paretokernel

SRC = Path(__file__).resolve().parents[2] / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC)}


@pytest.fixture
def fresh_index(monkeypatch: pytest.MonkeyPatch):
    """The index as loaded, reset after the test (tests here change the index path or the environment)."""
    monkeypatch.delenv(aot.ENV_SWITCH, raising=False)
    aot.reset()
    yield
    aot.reset()


def _require_build() -> None:
    aot.reset()
    aot.functions("", "")
    if not aot.status.startswith("fresh"):
        msg = f"the ahead-of-time kernels of this checkout: {aot.status}"
        if os.environ.get("CI"):
            pytest.fail(msg + " (make test builds them)")
        pytest.skip(msg)


def _trace_case() -> tuple[np.ndarray, list[int]]:
    """Labels [arc, parent] of a chain 0 ← 1 ← 2 ← 3 with arcs 7, 8, 9 (label 0 is the start: arc -1)."""
    li = np.array([[-1, -1], [7, 0], [8, 1], [9, 2]], dtype=np.int64)
    return li, [7, 8, 9]


VALUES = [
    np.zeros(3), np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.bool_), np.zeros(3, dtype=np.int8), np.zeros(3, dtype=np.int32),
    np.zeros(3, dtype=np.float32), np.zeros((2, 3)), np.zeros((2, 3), order="F"), np.zeros((4, 6))[::2, ::2],
    np.zeros((2, 3, 4)).transpose(1, 0, 2), np.zeros((3, 1)), np.zeros((1, 3), order="F"), np.zeros(0), np.arange(6)[::2],
    True, False, 0, -5, 1 << 40, 2.5, float("inf"), np.int64(3), np.int32(3), np.float64(1.0), np.float32(1.0), np.bool_(True),
    np.uint8(3),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: f"{type(v).__name__}:{getattr(v, 'dtype', '')}:{np.shape(v)}")
def test_type_key_is_numbas_typing(value):
    """The key of a call's argument equals the key of numba's own type of it (numba.typeof), read-only arrays too."""
    import numba

    assert aot.type_key((value,)) == (aot_build.numba_key(numba.typeof(value)),)
    if isinstance(value, np.ndarray):
        ro = value.copy(order="K")
        ro.flags.writeable = False
        assert aot.type_key((ro,)) == (aot_build.numba_key(numba.typeof(ro)),)
        assert aot.type_key((ro,)) != aot.type_key((value,))


def test_an_array_key_looked_up_by_flag_bits_is_the_key_from_its_attributes():
    """The per-call key of an array is memoised on (dtype, dimensions, numpy's contiguity/aligned/writeable bits): it
    must be what the array's attributes say, for every layout, read-only or not, aligned or not, either byte order."""
    unaligned = np.frombuffer(bytearray(8 * 5 + 1), dtype="<f8", offset=1, count=5)
    arrays = [v for v in VALUES if isinstance(v, np.ndarray)] + [unaligned, unaligned[::2], np.zeros(4, dtype=">f8"),
                                                                  np.zeros((3, 4), dtype=">i8").T]
    assert not unaligned.flags.aligned
    for a in arrays:
        for writeable in (True, False):
            b = a.copy(order="K") if a.flags.aligned else a
            b.flags.writeable = writeable
            aot._array_keys.clear()
            first, again = aot.type_key((b,)), aot.type_key((b,))  # computed, then looked up
            assert first == again == (aot.array_key(b),), (a.dtype, a.shape, a.strides, writeable)
    aot._array_keys.clear()
    ro = np.zeros(3)
    ro.flags.writeable = False
    assert aot.type_key((np.zeros(3),)) != aot.type_key((ro,))  # the memo keeps the two apart


def test_other_arguments_match_no_variant():
    assert aot.type_key(([1, 2], "x", None, 1 << 70)) == (None, None, None, None)


def test_the_build_covers_the_kernel_sources():
    files = aot_build.source_files()
    assert {"routing/kernels.py", "routing/timekernel.py", "routing/jit.py", "routing/aot.py", "aot_build.py"} <= set(files)
    assert all((aot.PACKAGE_ROOT / f).is_file() for f in files)


def _index_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[str]) -> Path:
    """A package folder under tmp_path holding ``files`` copied, and an index for it with a matching digest."""
    root = tmp_path / "pkg"
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(aot.PACKAGE_ROOT / f, root / f)
    monkeypatch.setattr(aot, "PACKAGE_ROOT", root)
    index = tmp_path / "_aot_index.json"
    index.write_text(json.dumps({"files": files, "digest": aot.digest(files), "extension": "_aot_missing", "kernels": []}))
    monkeypatch.setattr(aot, "INDEX", index)
    aot.reset()
    return root


@pytest.mark.usefixtures("fresh_index")
def test_an_edited_kernel_file_makes_the_build_stale_and_the_jit_runs(tmp_path, monkeypatch):
    root = _index_copy(tmp_path, monkeypatch, ["routing/kernels.py", "routing/timekernel.py"])
    aot.functions("", "")
    assert aot.status.startswith("unusable")  # digest right; the extension named is not there
    aot.reset()
    kernel = root / "routing" / "timekernel.py"
    kernel.write_text(kernel.read_text() + "\n# edited\n")
    assert aot.functions("silkway.routing.kernels", "trace") == {}
    assert aot.status.startswith("stale")
    li, arcs = _trace_case()
    out, first = kernels.trace(li, 3, 0, 1)  # runs, through numba's JIT
    assert out.tolist() == arcs and first == 0


@pytest.mark.usefixtures("fresh_index")
def test_a_missing_build_runs_the_jit(tmp_path, monkeypatch):
    monkeypatch.setattr(aot, "INDEX", tmp_path / "none.json")
    aot.reset()
    li, arcs = _trace_case()
    assert kernels.trace(li, 3, 0, 1)[0].tolist() == arcs
    assert aot.status.startswith("not built")


@pytest.mark.parametrize("var", ["SILKWAY_AOT=0", "NUMBA_BOUNDSCHECK=1", "NUMBA_DISABLE_JIT=1"])
@pytest.mark.usefixtures("fresh_index")
def test_the_environment_can_ask_for_the_jit(monkeypatch, var):
    name, value = var.split("=")
    monkeypatch.setenv(name, value)
    aot.reset()
    assert aot.functions("silkway.routing.kernels", "trace") == {}
    assert aot.status == f"not used: {name}{'=0' if name == aot.ENV_SWITCH else ' is set'}"


@pytest.mark.usefixtures("fresh_index")
def test_a_failed_build_is_recorded_once_and_the_install_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(aot, "INDEX", tmp_path / "_aot_index.json")

    def broken(*_args):
        raise RuntimeError("no compiler")

    monkeypatch.setattr(aot_build, "_compile", broken)
    out = tmp_path / "log.txt"
    with out.open("w") as f:
        index = aot_build.build(out=f)
        assert index["extension"] is None and index["error"] == "RuntimeError: no compiler"
        assert json.loads(aot.INDEX.read_text())["digest"] == aot.digest(aot_build.source_files())
        aot_build.build(out=f)  # the same sources: not retried
    log = out.read_text()
    assert "build failed" in log and "up to date (failed before: RuntimeError: no compiler)" in log
    assert aot.functions("silkway.routing.kernels", "trace") == {}
    assert os.environ.get(aot.ENV_SWITCH) is None  # the build's own switch is undone


def test_the_jit_copies_leave_the_module_lazy():
    """Making the dispatchers does not replace the module's lazy kernels (so the ahead-of-time code stays in use); the
    dispatchers resolve their callees to dispatchers."""
    from numba.core.registry import CPUDispatcher

    d = paretokernel.pareto.dispatcher
    assert isinstance(paretokernel.pareto, jit.LazyKernel) and isinstance(kernels._push, jit.LazyKernel)
    assert isinstance(d, CPUDispatcher) and isinstance(d.py_func.__globals__["_push"], CPUDispatcher)
    assert d.py_func.__code__ is paretokernel.pareto.py_func.__code__  # the kernel's own code, not a copy of its source


@pytest.mark.usefixtures("fresh_index")
def test_a_fresh_build_runs_other_argument_types_through_the_jit():
    _require_build()
    li, arcs = _trace_case()
    table = aot.functions("silkway.routing.kernels", "trace")
    assert aot.type_key((li, 3, 0, 1)) in table
    for other in (np.asfortranarray(li), li.astype(np.int32)):
        assert aot.type_key((other, 3, 0, 1)) not in table
        assert kernels.trace(other, 3, 0, 1)[0].tolist() == arcs
    assert kernels.trace(li, 3, 0, 1)[0].tolist() == arcs


ROUTE = """
import sys
from silkway.__main__ import main
sys.argv = ["silkway", "route", *sys.argv[1:], "--json"]
try:
    main()
finally:
    from silkway.routing import aot
    print(aot.status, "numba" in sys.modules, file=sys.stderr)
"""
QUERIES = [["Xian", "Duisburg"], ["Chengdu", "Duisburg", "--via", "Aktau", "--objective", "p90", "--depart", "2025-02-03"],
           ["Xian", "Duisburg", "--avoid", "RU", "--max-transfers", "3", "--conditions", "free", "--objective", "cost"]]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: " ".join(q[:2]))
def test_route_with_a_fresh_build_imports_no_numba_and_answers_as_the_jit(query):
    _require_build()
    runs = {}
    for mode, extra in (("aot", {}), ("jit", {aot.ENV_SWITCH: "0"})):
        p = subprocess.run([sys.executable, "-c", ROUTE, *query], capture_output=True, text=True, env={**ENV, **extra}, timeout=600)
        assert p.returncode == 0, p.stderr
        runs[mode] = p
    assert runs["aot"].stderr.splitlines()[-1].startswith("fresh: _aot_") and runs["aot"].stderr.endswith(" False\n")
    assert runs["jit"].stderr.splitlines()[-1] == f"not used: {aot.ENV_SWITCH}=0 True"
    assert json.loads(runs["aot"].stdout)["options"]  # a real answer
    assert runs["aot"].stdout == runs["jit"].stdout


def test_a_constant_the_jit_specialised_on_is_never_a_call_key():
    """batch.corridor_searches calls kernels.trace(li, sk, 0, 1) inside numba, which compiles trace for the literal
    constants 0 and 1 too; that signature must not stand for a Python call with plain integers (the first build
    exported it, so the planner's trace(li, i, L_ARC=2, L_PARENT=3) read columns 0 and 1 and looped for ever)."""
    from numba import types

    from silkway.aot_build import numba_key

    assert numba_key(types.int64) == "i8"
    assert numba_key(types.literal(0)) != "i8" and numba_key(types.literal(True)) != "b1"


@pytest.mark.usefixtures("fresh_index")
def test_a_fresh_build_reads_the_columns_it_is_given():
    """The labels as the planner keeps them (8 columns; arc and parent in paretokernel.L_ARC / L_PARENT): the compiled
    trace follows the columns passed, as the JIT does."""
    _require_build()
    li = np.zeros((6, 8), dtype=np.int64)
    li[:, paretokernel.L_ARC] = [-1, 7, 8, 9, 5, 5]
    li[:, paretokernel.L_PARENT] = [-1, 0, 1, 2, 4, 4]  # labels 4 and 5 would loop on columns 0/1 (all zeros: arc 0 ≥ 0)
    assert aot.type_key((li, 3, paretokernel.L_ARC, paretokernel.L_PARENT)) in aot.functions("silkway.routing.kernels", "trace")
    out, first = kernels.trace(li, 3, paretokernel.L_ARC, paretokernel.L_PARENT)
    assert out.tolist() == [7, 8, 9] and first == 0
