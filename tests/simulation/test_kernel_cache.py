"""numba's on-disk cache of the kernel is stamped with every kernel source file, so editing a helper recompiles it."""

from __future__ import annotations

import shutil
from pathlib import Path

from silkway.simulation import _cache, _kernel
from silkway.simulation._cache import KERNEL_FILES, KernelCache, kernel_digest

SIM = Path(_cache.__file__).parent


def test_editing_any_kernel_file_changes_the_stamp(tmp_path):
    for name in KERNEL_FILES:
        shutil.copy(SIM / name, tmp_path / name)
    before = kernel_digest(tmp_path)
    assert before == kernel_digest(SIM)  # the digest is of the contents, wherever the files are
    for name in KERNEL_FILES:
        original = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(original + b"\n# an edit\n")
        assert kernel_digest(tmp_path) != before, name
        (tmp_path / name).write_bytes(original)
    assert kernel_digest(tmp_path) == before


def test_every_compiled_kernel_function_uses_the_kernel_wide_stamp():
    """Not only ``run_until``: a callee compiled on its own (``v_board`` inlines ``_station``'s queue helpers) would
    otherwise come back stale from its own file's cache when a helper it inlines changes."""
    functions = _kernel._kernel_dispatchers()
    names = {f.py_func.__name__ for f in functions}
    assert {"run_until", "push", "v_board", "sail", "dequeue", "normal", "expected_h"} <= names
    for f in functions:
        assert isinstance(f._cache, KernelCache), f.py_func.__name__
        assert f._cache._impl.locator.get_source_stamp() == kernel_digest(SIM)


def _probe(folder: Path, name: str):
    """A tiny cached numba function in ``folder`` (next to copies of the kernel files), compiled and saved once."""
    import importlib.util

    (folder / f"{name}.py").write_text("from numba import njit\n\n\n@njit(cache=True)\ndef f(x):\n    return x + 1\n")
    spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def test_editing_a_helper_file_makes_the_saved_kernel_stale_for_numba(tmp_path):
    """Through numba's own cache files: a function compiled and saved with the kernel-wide stamp is found fresh by a
    new cache object, found stale once ``_heap.py`` (a helper, not the function's own file) is edited, and fresh
    again after it recompiles. numba's default stamp (the function's own file) does not notice the same edit."""
    from numba.core.caching import FunctionCache

    for name in KERNEL_FILES:
        shutil.copy(SIM / name, tmp_path / name)
    f = _probe(tmp_path, "probe_kernel_wide")
    _cache.cache_on_kernel_sources(f)
    plain = _probe(tmp_path, "probe_plain")  # numba's default cache, for contrast
    assert f(1) == 2 and plain(1) == 2  # compiled and saved
    assert KernelCache(f.py_func)._cache_file._load_index()
    assert FunctionCache(plain.py_func)._cache_file._load_index()

    (tmp_path / "notes.txt").write_text("not a kernel file")
    assert KernelCache(f.py_func)._cache_file._load_index()  # other files do not matter

    heap = tmp_path / "_heap.py"
    heap.write_bytes(heap.read_bytes() + b"\n# an edit of a helper\n")
    assert not KernelCache(f.py_func)._cache_file._load_index()  # stale: numba will recompile, not load
    assert FunctionCache(plain.py_func)._cache_file._load_index()  # numba alone would load the stale code

    g = _probe(tmp_path, "probe_kernel_wide")  # a new process would see this: recompile and save with the new stamp
    _cache.cache_on_kernel_sources(g)
    assert g(1) == 2
    assert KernelCache(g.py_func)._cache_file._load_index()


def test_numba_cache_dir_is_honoured(tmp_path, monkeypatch):
    """NUMBA_CACHE_DIR (numba.config.CACHE_DIR) moves the kernel's cache there, with the kernel-wide stamp: the
    bounds-checked CI run compiles into its own folder and never mixes with the normal cache."""
    import numba

    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    locator = KernelCache(_kernel.run_until.py_func)._impl.locator
    assert Path(locator.get_cache_path()).is_relative_to(tmp_path)
    assert locator.get_source_stamp() == kernel_digest(SIM)
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    assert not Path(KernelCache(_kernel.run_until.py_func)._impl.locator.get_cache_path()).is_relative_to(tmp_path)
