"""xoshiro256** streams for the numba kernel: one independent stream per station / vessel link / purpose.

Each stream's 256-bit state comes from ``numpy.random.SeedSequence(seed).spawn(...)`` so every random number of a
run derives from the one user seed. Streams are numbered by position (engine.prepare): station ``s`` draws from stream
``s`` (its index in the plan's station list), vessel link ``j`` from stream ``stations + j``, the green-channel draw
from the last one; stream ``i`` depends only on the seed and ``i``. So two runs with the same seed and the same plan
(the same stations in the same order: e.g. another demand scale, other closures or green-channel share) draw each
station's times from the same stream (common random numbers across such scenarios), while a scenario whose plan
adds, removes or reorders a station (another route, ``avoid``) gives every station after it, every vessel link and the
green channel other streams.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_TWO53 = 1.0 / 9007199254740992.0


def stream_states(seq: np.random.SeedSequence, n: int) -> np.ndarray:
    """``n`` spawned xoshiro256** states (uint64[n, 4]) from one seed sequence."""
    out = np.empty((max(n, 1), 4), dtype=np.uint64)
    for i, child in enumerate(seq.spawn(max(n, 1))):
        state = child.generate_state(4, np.uint64)
        if not state.any():
            state[0] = 1
        out[i] = state
    return out


@njit(cache=True, inline="always", _nrt=False)
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True, _nrt=False)
def next_u64(rs, i):
    s0, s1, s2, s3 = rs[i, 0], rs[i, 1], rs[i, 2], rs[i, 3]
    result = _rotl(s1 * uint64(5), 7) * uint64(9)
    t = s1 << uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    rs[i, 0], rs[i, 1], rs[i, 2], rs[i, 3] = s0, s1, s2, s3
    return result


@njit(cache=True, _nrt=False)
def uniform(rs, i):
    """Uniform in [0, 1)."""
    return float(next_u64(rs, i) >> uint64(11)) * _TWO53


@njit(cache=True, _nrt=False)
def normal(rs, i):
    u1 = 1.0 - uniform(rs, i)
    u2 = uniform(rs, i)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, _nrt=False)
def exponential(rs, i, mean):
    return -mean * math.log(1.0 - uniform(rs, i))
