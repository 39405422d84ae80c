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
