"""Build the ahead-of-time kernels of :mod:`silkway.routing.aot` (``make`` runs it after installing).

    python -m silkway.aot_build [--force]

1. Runs sample queries (:data:`SAMPLES`: the embedded dataset, typical and free conditions, each objective, a via, an
   avoided country, a transfer cap, a departure date; and one through a contracted skeleton) with numba's JIT, recording the argument types of every call of
   a kernel of :data:`aot.MODULES` from Python. Each recorded key (:func:`aot.type_key`) must be the key of one of the
   dispatcher's compiled signatures: a check that the key follows numba's typing.
2. Compiles those kernels for those signatures with ``numba.pycc`` from the kernel modules as they are now (their own
   functions, no copy of their code) into ``_aot_<digest>`` next to the kernel modules, and writes
   :data:`aot.INDEX` (files, digest, extension, variants) atomically after it.

With the index fresh (same digest) it does nothing unless ``--force``. When the compiler is missing or fails, the
index records the failure for this digest (the JIT is used; no retry until a kernel file changes) and the build
exits 0: an install never fails for want of it.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from silkway.atomic import atomic_write_text
from silkway.routing import aot

# (origin, destination, options of services.routing.plan_route): the calls the command line, the web and the API make
SAMPLES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Xian", "Duisburg", {}),
    ("Xian", "Duisburg", {"conditions": "free", "objective": "cost", "alternatives": 1}),
    ("Chongqing", "Duisburg", {"objective": "p90", "via": ["Aktau"], "depart": "2024-03-04"}),
    ("Xian", "Duisburg", {"objective": "co2e", "avoid": ["RU"], "max_transfers": 3}),
)
AOT_FILES = ("routing/aot.py", "aot_build.py")  # besides the kernel modules and their silkway imports: type keys, samples


def source_files(modules: tuple[str, ...] = aot.MODULES) -> list[str]:
    """The files whose code goes into the build, relative to the package: each kernel module and, transitively, every
    silkway module it imports (a constant imported from one is compiled in), plus :data:`AOT_FILES`."""
    seen: list[str] = []
    todo = list(modules)
    while todo:
        name = todo.pop()
        path = Path(importlib.util.find_spec(name).origin)  # type: ignore[union-attr,arg-type]
        rel = path.resolve().relative_to(aot.PACKAGE_ROOT).as_posix()
        if rel in seen:
            continue
        seen.append(rel)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("silkway"):
                for alias in node.names:  # `from silkway.routing import jit`: a module; `from silkway.x import C`: x
                    sub = f"{node.module}.{alias.name}"
                    todo.append(sub if _is_package(node.module) and importlib.util.find_spec(sub) else node.module)
            elif isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.startswith("silkway")]
    return sorted({*seen, *AOT_FILES})


def _is_package(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.submodule_search_locations is not None


def numba_key(ty: Any) -> Any:
    """:func:`aot.type_key`'s key of a numba type (an argument type of a compiled signature)."""
    from numba import types
    from numba.np.numpy_support import as_dtype

    if isinstance(ty, types.Literal):  # a constant the JIT specialised on (a kernel called with 0 from another kernel):
        return repr(ty)  # never a call's key, else the build would export it and compile that constant in
    if isinstance(ty, types.Array):
        return (as_dtype(ty.dtype).str, ty.ndim, ty.layout, not ty.mutable, ty.aligned)
    if isinstance(ty, types.Boolean):
        return "b1"
    if isinstance(ty, types.Integer | types.Float):
        d = as_dtype(ty)
        return f"{d.kind}{d.itemsize}"
    return repr(ty)  # matches no call's key


def record_calls() -> dict[tuple[str, str], set[tuple[Any, ...]]]:
    """Run :data:`SAMPLES` with the JIT; per kernel, the argument types of its calls from Python."""
    from silkway.routing import jit
    from silkway.services import routing as svc

    calls: dict[tuple[str, str], set[tuple[Any, ...]]] = {}
    plain = jit.LazyKernel.__call__

    def recorded(self: jit.LazyKernel, *args: Any) -> Any:
        if self.__module__ in aot.MODULES:
            calls.setdefault((self.__module__, self.__name__), set()).add(aot.type_key(args))
        return self.dispatcher(*args)

    jit.LazyKernel.__call__ = recorded  # type: ignore[method-assign]
    try:
        for origin, destination, options in SAMPLES:
            svc.plan_route(origin, destination, **{"conditions": "typical", **options})
        _contracted_sample()
    finally:
        jit.LazyKernel.__call__ = plain  # type: ignore[method-assign]
    return calls


def _contracted_sample() -> None:
    """A route on the embedded network searched through a skeleton of contracted chains, as every network of
    ``stategraph.CONTRACT_MIN_NODES`` nodes or more is: the contraction's kernels (``routing/contract.py``) are then
    compiled too, and ``silkway route`` on a big dataset imports no numba."""
    from silkway.network.dataset import read_dataset
    from silkway.routing import Router, stategraph

    kept = stategraph.CONTRACT_MIN_NODES
    stategraph.CONTRACT_MIN_NODES = 0
    try:
        Router(read_dataset()).route("Xian", "Duisburg", samples=10)
    finally:
        stategraph.CONTRACT_MIN_NODES = kept


def build(force: bool = False, out: Any = sys.stdout) -> dict[str, Any]:
    """Build (or keep a fresh build); returns the index written or kept."""
    files = source_files()
    digest = aot.digest(files)
    try:
        old = json.loads(aot.INDEX.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if not force and old and old.get("digest") == digest and (old.get("extension") is None or _built(old["extension"])):
        print(f"ahead-of-time kernels: up to date ({old.get('extension') or 'failed before: ' + str(old.get('error'))})", file=out)
        return dict(old)
    t0 = time.perf_counter()
    switch = os.environ.get(aot.ENV_SWITCH)
    os.environ[aot.ENV_SWITCH] = "0"  # the sample queries run the JIT (whatever build is there)
    aot.reset()
    try:
        index = _compile(files, digest, out)
    except Exception as exc:  # any failure of the compiler: the JIT is used, the install goes on
        index = {"files": files, "digest": digest, "extension": None, "kernels": [], "error": f"{type(exc).__name__}: {exc}"}
        traceback.print_exc()
        print(f"ahead-of-time kernels: build failed ({index['error']}); the JIT is used", file=out)
    finally:
        if switch is None:
            os.environ.pop(aot.ENV_SWITCH, None)
        else:
            os.environ[aot.ENV_SWITCH] = switch
        aot.reset()
    atomic_write_text(aot.INDEX, json.dumps(index, indent=1) + "\n")
    for stale in aot.INDEX.parent.glob("_aot_*"):
        if stale != aot.INDEX and (index["extension"] is None or not stale.name.startswith(index["extension"] + ".")):
            stale.unlink(missing_ok=True)
    if index["extension"]:
        n = sum(len(k["variants"]) for k in index["kernels"])
        print(f"ahead-of-time kernels: built {index['extension']} ({n} variants of {len(index['kernels'])} kernels) in "
              f"{time.perf_counter() - t0:.0f} s", file=out)
    return index


def _built(extension: str) -> bool:
    return any(aot.INDEX.parent.glob(f"{extension}.*.so")) or any(aot.INDEX.parent.glob(f"{extension}.*.pyd"))


def _compile(files: list[str], digest: str, out: Any) -> dict[str, Any]:
    calls = record_calls()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba.pycc is pending deprecation: it still works, and only this build uses it
        from numba.pycc import CC
    name = f"_aot_{digest[:16]}"
    kernels = []
    with tempfile.TemporaryDirectory(prefix="silkway-aot-") as tmp:
        cc = CC(name, source_module="silkway.routing.aot")
        cc.output_dir = tmp
        for (module, kname), keys in sorted(calls.items()):
            lazy = getattr(importlib.import_module(module), kname)
            by_key = {tuple(map(numba_key, sig.args)): sig for sig in lazy.dispatcher.nopython_signatures}
            variants = []
            for i, key in enumerate(sorted(keys, key=repr)):
                if key not in by_key:
                    raise RuntimeError(f"{module}.{kname}: a call's argument types {key} are none of numba's {sorted(by_key)}")
                export = f"{module.rsplit('.', 1)[1]}__{kname}__{i}"
                cc.export(export, by_key[key])(lazy.dispatcher.py_func)
                variants.append({"types": key, "export": export})
            kernels.append({"module": module, "name": kname, "variants": variants})
        print(f"ahead-of-time kernels: compiling {sum(len(k['variants']) for k in kernels)} variants with numba.pycc "
              "(a minute or two)...", file=out, flush=True)
        cc.compile()
        built = list(Path(tmp).glob(f"{name}.*"))
        if len(built) != 1:
            raise RuntimeError(f"numba.pycc made {[p.name for p in built]}")
        target = aot.INDEX.parent / built[0].name
        shutil.move(built[0], target.with_suffix(".tmp"))
        os.replace(target.with_suffix(".tmp"), target)
    if aot.digest(files) != digest:
        raise RuntimeError("a kernel source changed during the build")
    return {"files": files, "digest": digest, "extension": name, "kernels": kernels}


def main() -> None:
    ap = argparse.ArgumentParser(description="Compile the route planner's kernels ahead of time (silkway.routing.aot).")
    ap.add_argument("--force", action="store_true", help="rebuild even when the build is fresh")
    build(ap.parse_args().force)


if __name__ == "__main__":
    main()
