"""The label heap of ``routing/kernels.py`` (``_push``/``_pop``, ordered by three float keys then the index): pops come
in exactly the order of a sort by (key 0, key 1, key 2, index), with many ties on every key and pushes interleaved
with pops, as the Pareto search uses it."""

from __future__ import annotations

import numpy as np
import pytest

from silkway.routing.kernels import _pop, _push


@pytest.mark.parametrize("seed", range(5))
def test_pops_follow_the_total_order_of_keys_then_index(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    keys = rng.integers(0, 4, (n, 3)).astype(np.float64)  # few distinct values: ties on every key
    hk, hi = np.empty((4, 3)), np.empty(4, dtype=np.int64)  # small, so the heap grows
    size, pushed, popped = 0, 0, []
    live: set[int] = set()
    while pushed < n or size:
        if pushed < n and (size == 0 or rng.uniform() < 0.6):
            i = pushed
            hk, hi, size = _push(hk, hi, size, keys[i, 0], keys[i, 1], keys[i, 2], i)
            live.add(i)
            pushed += 1
        else:
            i, size = _pop(hk, hi, size)
            least = min(live, key=lambda x: (keys[x, 0], keys[x, 1], keys[x, 2], x))
            assert i == least
            live.remove(i)
            popped.append(i)
    assert sorted(popped) == list(range(n))
