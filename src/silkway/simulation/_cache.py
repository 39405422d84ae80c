"""numba's on-disk cache of the kernel, keyed on every kernel source file.

numba stamps a cached function with its own source file only, but the kernel's compiled code also holds the helpers it
inlines or calls from the other kernel modules and the column constants of ``_layout``: after editing one of them, a
stale compiled kernel would be loaded. Each compiled function of the kernel modules gets a cache whose stamp is a
SHA-256 digest of all of them (:data:`KERNEL_FILES`), so editing any one recompiles the kernel
(:mod:`silkway.kernel_cache`). The cache files stay where numba keeps them (the folder ``NUMBA_CACHE_DIR`` names when
set, else ``__pycache__`` next to the source, else the user-wide cache); only the stamp changes. numba's index key
does not include ``NUMBA_BOUNDSCHECK``: a run with bounds checking must use its own ``NUMBA_CACHE_DIR`` (as
``.ci/run`` does), else it would load the unchecked kernel.
"""

from __future__ import annotations

from pathlib import Path

from silkway.kernel_cache import cache_on_sources, digest, sources_cache

KERNEL_FILES = ("_kernel.py", "_station.py", "_vessels.py", "_heap.py", "_rng.py", "_layout.py")


def kernel_digest(folder: Path, names: tuple[str, ...] = KERNEL_FILES) -> str:
    """SHA-256 over the names and contents of the kernel source files in ``folder``."""
    return digest(folder, names)


KernelCache = sources_cache(KERNEL_FILES)  # numba's function cache with the kernel-wide stamp


def cache_on_kernel_sources(*dispatchers) -> None:  # numba CPUDispatcher objects (their private _cache is set)
    """Give each compiled function (``@njit(cache=True)``) the kernel-wide cache; call before its first compilation."""
    cache_on_sources(KernelCache, *dispatchers)
