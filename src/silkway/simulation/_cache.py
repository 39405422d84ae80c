"""numba's on-disk cache of the kernel, keyed on every kernel source file.

numba stamps a cached function with its own source file only, but the kernel's compiled code also holds the helpers it
inlines or calls from the other kernel modules and the column constants of ``_layout``: after editing one of them, a
stale compiled kernel would be loaded. Each compiled function of the kernel modules gets a cache whose stamp is a
SHA-256 digest of all of them (:data:`KERNEL_FILES`), so editing any one recompiles the kernel. The cache files stay
where numba keeps them (``__pycache__`` next to the source); only the stamp changes. Uses numba's cache classes
(``numba.core.caching``), not a cache of its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from numba.core.caching import CompileResultCacheImpl, FunctionCache, InTreeCacheLocator, UserWideCacheLocator

KERNEL_FILES = ("_kernel.py", "_station.py", "_vessels.py", "_heap.py", "_rng.py", "_layout.py")


def kernel_digest(folder: Path, names: tuple[str, ...] = KERNEL_FILES) -> str:
    """SHA-256 over the names and contents of the kernel source files in ``folder``."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update((folder / name).read_bytes())
    return h.hexdigest()


class _KernelSources:
    """Stamp of a kernel function: the digest of every kernel file, not only of the function's own file."""

    _py_file: str

    def get_source_stamp(self) -> str:
        return kernel_digest(Path(self._py_file).parent)


class _InTree(_KernelSources, InTreeCacheLocator):
    pass


class _UserWide(_KernelSources, UserWideCacheLocator):  # __pycache__ not writable (an installed package)
    pass


class _KernelCacheImpl(CompileResultCacheImpl):
    _locator_classes = [_InTree, _UserWide]


class KernelCache(FunctionCache):
    """numba's function cache with the kernel-wide stamp."""

    _impl_class = _KernelCacheImpl


def cache_on_kernel_sources(*dispatchers) -> None:
    """Give each compiled function (``@njit(cache=True)``) the kernel-wide cache; call before its first compilation."""
    for d in dispatchers:
        d._cache = KernelCache(d.py_func)
