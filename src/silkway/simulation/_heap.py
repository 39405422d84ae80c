"""Binary min-heap of events keyed (time, sequence) in two numpy arrays: ``W.ht`` float64[heap] (time h) and
``W.hi`` int64[heap, 4] = (sequence, kind, a, b). Events of equal time pop in the order they were pushed (the
sequence number ``W.ctr[C_SEQ]`` breaks ties). A push into a full heap drops the event and sets ``C_ERROR``."""

from __future__ import annotations

from numba import njit

from silkway.simulation import _layout as L


@njit(cache=True, _nrt=False, inline="always")
def push(W, t, kind, a, b):
    ht, hi, ctr = W.ht, W.hi, W.ctr
    n = ctr[L.C_HSIZE]
    if n >= ht.shape[0]:  # full: never write past the end; the loop stops and engine.advance raises
        ctr[L.C_ERROR] = L.ERR_HEAP
        return
    seq = ctr[L.C_SEQ]
    ctr[L.C_SEQ] = seq + 1
    ctr[L.C_HSIZE] = n + 1
    while n > 0:  # sift up
        p = (n - 1) >> 1
        if ht[p] < t or (ht[p] == t and hi[p, 0] < seq):
            break
        ht[n] = ht[p]
        hi[n, 0], hi[n, 1], hi[n, 2], hi[n, 3] = hi[p, 0], hi[p, 1], hi[p, 2], hi[p, 3]
        n = p
    ht[n] = t
    hi[n, 0], hi[n, 1], hi[n, 2], hi[n, 3] = seq, kind, a, b


@njit(cache=True, _nrt=False, inline="always")
def pop(W):
    """Remove the top event; return (kind, a, b). Its time is read before with W.ht[0]; the heap is not empty."""
    ht, hi, ctr = W.ht, W.hi, W.ctr
    kind, a, b = hi[0, 1], hi[0, 2], hi[0, 3]
    n = ctr[L.C_HSIZE] - 1
    ctr[L.C_HSIZE] = n
    t, s0, s1, s2, s3 = ht[n], hi[n, 0], hi[n, 1], hi[n, 2], hi[n, 3]
    i = 0
    while True:  # sift down
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and (ht[c + 1] < ht[c] or (ht[c + 1] == ht[c] and hi[c + 1, 0] < hi[c, 0])):
            c += 1
        if t < ht[c] or (t == ht[c] and s0 < hi[c, 0]):
            break
        ht[i] = ht[c]
        hi[i, 0], hi[i, 1], hi[i, 2], hi[i, 3] = hi[c, 0], hi[c, 1], hi[c, 2], hi[c, 3]
        i = c
    ht[i] = t
    hi[i, 0], hi[i, 1], hi[i, 2], hi[i, 3] = s0, s1, s2, s3
    return kind, a, b
