"""The route planner's kernels compiled ahead of time, used when fresh (issue 16: ``silkway route`` without numba).

``python -m silkway.aot_build`` (run by ``make`` after installing) compiles the kernels of :data:`MODULES` that
a set of sample queries calls, for the argument types numba inferred there, with ``numba.pycc`` into an extension
module next to this file. The build writes :data:`INDEX`: the source files whose code went into it, the digest of those
files (:func:`digest`), the extension's name (which contains the digest) and, per kernel, the argument types of each
compiled variant with its exported name.

A kernel call (:class:`silkway.routing.jit.LazyKernel`) uses the compiled variant whose argument types are exactly those
of the call (:func:`type_key`, numba's own typing rules for arrays and scalars) when the build is fresh: the files it
lists still have the digest it was built from, under the same Python and numpy major version. Anything else (no build,
a stale one, an edited kernel file, other argument types, ``SILKWAY_AOT=0``, ``NUMBA_DISABLE_JIT`` or
``NUMBA_BOUNDSCHECK`` set) runs numba's JIT, as without this module: the same code, so the same answers.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

MODULES = ("silkway.routing.kernels", "silkway.routing.boundkernel", "silkway.routing.paretokernel", "silkway.routing.timekernel", "silkway.routing.batch", "silkway.routing.contract")  # kernel modules the build compiles from
INDEX = Path(__file__).with_name("_aot_index.json")
PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # src/silkway: the index lists files relative to it
ENV_SWITCH = "SILKWAY_AOT"  # "0": never use the ahead-of-time build
Table = dict[tuple[Any, ...], Callable[..., Any]]

_lock = threading.Lock()
_tables: dict[tuple[str, str], Table] | None = None
status = "not loaded"  # why the build is used or not (tests, benchmarks/bench_cli.py)


def digest(files: Iterable[str]) -> str:
    """SHA-256 over the names and contents of ``files`` (relative to the package) and what the compiled code depends
    on besides: the Python implementation and version (its extension ABI) and numpy's major version."""
    h = hashlib.sha256(f"{sys.implementation.cache_tag}|numpy{np.__version__.split('.')[0]}".encode())
    for name in files:
        h.update(b"\0" + name.encode() + b"\0")
        h.update((PACKAGE_ROOT / name).read_bytes())
    return h.hexdigest()


def disabled() -> str | None:
    """Why the environment asks for the JIT (None: it does not)."""
    if os.environ.get(ENV_SWITCH, "1") == "0":
        return f"{ENV_SWITCH}=0"
    for var in ("NUMBA_DISABLE_JIT", "NUMBA_BOUNDSCHECK"):  # the JIT's own semantics asked for
        if os.environ.get(var, "0") not in ("", "0"):
            return f"{var} is set"
    return None


def _load() -> dict[tuple[str, str], Table]:
    global status
    off = disabled()
    if off:
        status = f"not used: {off}"
        return {}
    try:
        index = json.loads(INDEX.read_text(encoding="utf-8"))
        fresh = digest(index["files"])
        if fresh != index["digest"]:
            status = "stale: a kernel source changed since the build (the JIT runs; rebuild: python -m silkway.aot_build)"
            return {}
        ext = importlib.import_module(f"silkway.routing.{index['extension']}")
        tables: dict[tuple[str, str], Table] = {}
        for kernel in index["kernels"]:
            table = tables.setdefault((kernel["module"], kernel["name"]), {})
            for variant in kernel["variants"]:
                table[_tuple(variant["types"])] = getattr(ext, variant["export"])
    except FileNotFoundError:
        status = "not built (the JIT runs; build: python -m silkway.aot_build)"
        return {}
    except (OSError, ValueError, KeyError, TypeError, ImportError, AttributeError) as exc:
        status = f"unusable ({type(exc).__name__}: {exc}); the JIT runs"
        return {}
    status = f"fresh: {index['extension']}"
    return tables


def _tuple(x: Any) -> Any:
    return tuple(_tuple(v) for v in x) if isinstance(x, list) else x


def functions(module: str, name: str) -> Table:
    """The compiled variants of kernel ``module.name`` by argument types (empty: none usable)."""
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                _tables = _load()
    return _tables.get((module, name), {})


def reset() -> None:
    """Forget the loaded index (tests: after building or changing the environment)."""
    global _tables, status
    with _lock:
        _tables = None
        status = "not loaded"


def type_key(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The argument types of a call as numba would type them (``numba.typeof``), for the kinds of argument the
    kernels take: arrays (dtype, dimensions, layout C/F/A, read-only, aligned) and bool, int and float scalars. Any
    other argument gets a key that matches no compiled variant."""
    return tuple(map(_key, args))


# numpy's NPY_ARRAY_C_CONTIGUOUS, _F_CONTIGUOUS, _ALIGNED and _WRITEABLE bits of ``ndarray.flags.num``: with the dtype and
# the number of dimensions they decide an array's key, so the key is looked up, not rebuilt, at every call (≈ 1 µs
# instead of 3.4 µs an array; a query passes ≈ 100 arrays). tests/unit/test_aot_kernels.py checks the bits' meaning.
_FLAG_BITS = 0x1 | 0x2 | 0x100 | 0x400
_array_keys: dict[tuple[Any, int, int], tuple[Any, ...]] = {}


def _key(a: Any) -> Any:
    t = type(a)
    if t is np.ndarray:
        memo = (a.dtype, a.ndim, a.flags.num & _FLAG_BITS)
        key = _array_keys.get(memo)
        if key is None:
            key = _array_keys[memo] = array_key(a)
        return key
    if t is bool:
        return "b1"
    if t is int:
        return "i8" if -(1 << 63) <= a < (1 << 63) else None
    if t is float:
        return "f8"
    if isinstance(a, np.generic) and a.dtype.kind in "biuf":
        return f"{a.dtype.kind}{a.dtype.itemsize}"
    return None


def array_key(a: np.ndarray) -> tuple[Any, ...]:
    """An array's key, from its attributes: dtype, dimensions, layout C/F/A, read-only, aligned (numba's typing)."""
    f = a.flags
    layout = "C" if f.c_contiguous else ("F" if f.f_contiguous else "A")
    return (a.dtype.str, a.ndim, layout, not f.writeable, f.aligned)
