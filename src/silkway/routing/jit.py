"""numba for the route planner's kernels, imported only when a kernel has to be compiled.

The kernel modules (``routing/kernels.py``, ``routing/timekernel.py``) say ``from silkway.routing import jit as nb``
and decorate with ``@nb.njit(...)`` as they would with numba's. The decorator returns a :class:`LazyKernel`: a call
runs the ahead-of-time build of the kernels (:mod:`silkway.routing.aot`, made at install time) when it is fresh and
was compiled for exactly these argument types, else numba's JIT dispatcher, made on first need. So a process that only
plans routes with a fresh build never imports numba (≈ 0.8 s of ``silkway route``'s start-up: numba's import, its
first-kernel set-up and the load of the cached kernels; benchmarks/RESULTS.md, issue 16).

The JIT dispatchers of a kernel module are made together, over a copy of the module's namespace in which every lazy
kernel is its dispatcher (numba resolves a kernel's callees from its globals when it compiles it); the module keeps its
lazy kernels. The dispatchers are numba's own, with the options given (``cache=True``: numba's on-disk cache as before).
Any other attribute (``nb.prange``, ``nb.types``...) is numba's own, imported on access.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from silkway.routing import aot

_lock = threading.RLock()
_before_jit: list[Callable[[], None]] = []


def before_jit(hook: Callable[[], None]) -> None:
    """Run ``hook`` just before this module first imports numba (at once when it has already): the command line
    uses it to skip numba's BLAS probe (``cli._app.skip_numba_blas_probe``), only in a process that needs numba."""
    with _lock:
        if "numba" in sys.modules:
            hook()
        else:
            _before_jit.append(hook)


def _numba() -> Any:
    with _lock:
        while _before_jit:
            _before_jit.pop(0)()
        import numba

        return numba


class LazyKernel:
    """A kernel as ``numba.njit(**options)`` would make it, made on first need; ahead-of-time code when it fits."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]):
        self.py_func = py_func
        self.options = options
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func
        self._dispatcher: Any = None

    def __repr__(self) -> str:
        return f"<lazy kernel {self.__module__}.{self.__qualname__}>"

    def __call__(self, *args: Any) -> Any:
        table = aot.functions(self.__module__, self.__name__)
        if table:
            fn = table.get(aot.type_key(args))
            if fn is not None:
                return fn(*args)
        return self.dispatcher(*args)

    @property
    def dispatcher(self) -> Any:
        """numba's JIT dispatcher of this kernel (numba imported on first need)."""
        if self._dispatcher is None:
            _jit_namespace(sys.modules[self.__module__])
        return self._dispatcher


_namespaces: dict[str, dict[str, Any]] = {}


def _jit_namespace(module: Any) -> dict[str, Any]:
    """The globals the JIT copies of ``module``'s kernels run in: the module's, with every lazy kernel replaced by its
    numba dispatcher (numba resolves a kernel's callees from its globals when it compiles it). The module itself keeps
    its lazy kernels, so its ahead-of-time code stays in use where it fits. Made once per module."""
    with _lock:
        ns = _namespaces.get(module.__name__)
        if ns is not None:
            return ns
        numba = _numba()
        ns = _namespaces[module.__name__] = dict(vars(module))
        for name, k in list(ns.items()):
            if isinstance(k, LazyKernel) and k.__module__ == module.__name__ and k.__name__ == name:
                f = k.py_func
                copy = types.FunctionType(f.__code__, ns, f.__name__, f.__defaults__, f.__closure__)
                copy.__qualname__, copy.__doc__, copy.__kwdefaults__ = f.__qualname__, f.__doc__, f.__kwdefaults__
                options = dict(k.options)
                sources = options.pop("sources", None)
                k._dispatcher = ns[name] = numba.njit(**options)(copy)
                if sources:  # compiled code that holds other files' code: numba's cache stamped with all of them
                    from silkway.kernel_cache import cache_on_sources, sources_cache

                    cache_on_sources(sources_cache(tuple(sources)), k._dispatcher)
        for name, k in list(ns.items()):  # lazy kernels of other modules (imported by name)
            if isinstance(k, LazyKernel) and not (k.__module__ == module.__name__ and k.__name__ == name):
                ns[name] = k.dispatcher
        return ns


def _njit(*args: Any, **options: Any) -> Any:
    """``numba.njit`` with its options, lazily: ``@njit``, ``@njit(cache=True)``, ``njit(fn, **options)`` (for a
    cache stamped with other files too: :func:`stamped`)."""
    if args and callable(args[0]):
        return LazyKernel(args[0], options)
    if args:
        raise TypeError("silkway.routing.jit.njit takes no signatures (numba infers the types at the call)")

    def wrap(fn: Callable[..., Any]) -> LazyKernel:
        return LazyKernel(fn, options)

    return wrap


def stamped(sources: tuple[str, ...], **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``njit(**options)`` for a kernel that holds the code of other files (it calls or inlines their kernels):
    numba's on-disk cache is stamped with every file of ``sources`` (in the kernel's folder; :mod:`silkway.kernel_cache`),
    so editing any of them recompiles it."""

    def wrap(fn: Callable[..., Any]) -> Any:
        return LazyKernel(fn, {**options, "sources": tuple(sources)})

    return wrap


if TYPE_CHECKING:  # mypy sees numba's own decorator, as before this module
    from numba import njit as njit
else:
    njit = _njit


def __getattr__(name: str) -> Any:
    """Everything else is numba's own (imported now)."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_numba(), name)
