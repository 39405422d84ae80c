"""numba's on-disk cache of the kernel, keyed on every kernel source file.

numba stamps a cached function with its own source file only, but the kernel's compiled code also holds the helpers it
inlines or calls from the other kernel modules and the column constants of ``_layout``: after editing one of them, a
stale compiled kernel would be loaded. Each compiled function of the kernel modules gets a cache whose stamp is a
SHA-256 digest of all of them (:data:`KERNEL_FILES`), so editing any one recompiles the kernel. The cache files stay
where numba keeps them (the folder ``NUMBA_CACHE_DIR`` names when set, else ``__pycache__`` next to the source, else
the user-wide cache); only the stamp changes. numba's index key does not include ``NUMBA_BOUNDSCHECK``: a run with
bounds checking must use its own ``NUMBA_CACHE_DIR`` (as ``.ci/run`` does), else it would load the unchecked kernel.
Uses numba's cache classes (``numba.core.caching``), not a cache of its own. Other compiled code that calls into
another file gets the same kind of stamp over its own list of files (:func:`sources_cache`; ``routing/batch.py``).
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

KERNEL_FILES = ("_kernel.py", "_station.py", "_vessels.py", "_heap.py", "_rng.py", "_layout.py")


def kernel_digest(folder: Path, names: tuple[str, ...] = KERNEL_FILES) -> str:
    """SHA-256 over the names and contents of the kernel source files in ``folder``."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update((folder / name).read_bytes())
    return h.hexdigest()


def sources_cache(files: tuple[str, ...]) -> type[FunctionCache]:
    """numba's function cache stamped with the digest of ``files`` (in the compiled function's folder) instead of the
    function's own file: for a compiled function that calls or inlines compiled code of other files."""

    class Sources:
        _py_file: str

        def get_source_stamp(self) -> str:
            return kernel_digest(Path(self._py_file).parent, files)

    # NUMBA_CACHE_DIR set: numba's own rule, honoured; else __pycache__ next to the source; else (an installed package
    # whose __pycache__ is not writable) the user-wide cache
    locators = [type(base.__name__, (Sources, base), {}) for base in (UserProvidedCacheLocator, InTreeCacheLocator, UserWideCacheLocator)]
    impl = type("SourcesCacheImpl", (CompileResultCacheImpl,), {"_locator_classes": locators})
    return type("SourcesCache", (FunctionCache,), {"_impl_class": impl})


KernelCache = sources_cache(KERNEL_FILES)  # numba's function cache with the kernel-wide stamp


def cache_on_kernel_sources(*dispatchers, cache: type[FunctionCache] = KernelCache) -> None:  # numba CPUDispatcher objects
    """Give each compiled function (``@njit(cache=True)``) the kernel-wide cache (or ``cache``, a
    :func:`sources_cache`); call before its first compilation (numba's private ``_cache`` is set)."""
    for d in dispatchers:
        d._cache = cache(d.py_func)
