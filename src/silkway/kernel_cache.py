"""numba's on-disk cache of a compiled function, stamped with a list of source files instead of the function's own.

numba stamps a cached function with its own source file only, but compiled code that inlines or calls compiled
functions (or reads constants) of other files holds their code too: after editing one of them, numba would load the
stale compiled code. :func:`sources_cache` gives a cache whose stamp is a SHA-256 digest of every file of a list
(:func:`digest`, in the function's folder), so editing any one recompiles. The cache files stay where numba keeps them
(the folder ``NUMBA_CACHE_DIR`` names when set, else ``__pycache__`` next to the source, else the user-wide cache);
only the stamp changes. Uses numba's cache classes (``numba.core.caching``), not a cache of its own. Users: the
simulation kernel (``simulation/_cache.py``) and the planner's batched searches (``routing/batch.py``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from numba.core.caching import (
    CompileResultCacheImpl,
    FunctionCache,
    InTreeCacheLocator,
    UserProvidedCacheLocator,
    UserWideCacheLocator,
)


def digest(folder: Path, names: tuple[str, ...]) -> str:
    """SHA-256 over the names and contents of the source files ``names`` in ``folder``."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update((folder / name).read_bytes())
    return h.hexdigest()


def sources_cache(files: tuple[str, ...]) -> type[FunctionCache]:
    """numba's function cache stamped with the :func:`digest` of ``files`` (in the compiled function's folder)."""

    class Sources:
        _py_file: str

        def get_source_stamp(self) -> str:
            return digest(Path(self._py_file).parent, files)

    # NUMBA_CACHE_DIR set: numba's own rule, honoured; else __pycache__ next to the source; else (an installed package
    # whose __pycache__ is not writable) the user-wide cache
    locators = [type(base.__name__, (Sources, base), {}) for base in (UserProvidedCacheLocator, InTreeCacheLocator, UserWideCacheLocator)]
    impl = type("SourcesCacheImpl", (CompileResultCacheImpl,), {"_locator_classes": locators})
    return type("SourcesCache", (FunctionCache,), {"_impl_class": impl})


def cache_on_sources(cache: type[FunctionCache], *dispatchers) -> None:  # numba CPUDispatcher objects
    """Give each compiled function (``@njit(cache=True)``) the cache ``cache`` (a :func:`sources_cache`); call before
    its first compilation (numba's private ``_cache`` is set)."""
    for d in dispatchers:
        d._cache = cache(d.py_func)
